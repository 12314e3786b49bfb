namespace Registry.Medical.Domain;

/// <summary>How the person died, as the certifying medic states it (the grounds of an enquiry: GC III Art. 121).</summary>
public enum DeathManner
{
    Natural = 1,
    Illness = 2,
    Wounds = 3,
    Accident = 4,
    Suicide = 5,
    CausedByGuard = 6,
    CausedByAnotherPrisoner = 7,
    CausedByOtherPerson = 8,
    Unknown = 9,
}

/// <summary>The death certificate (GC III Art. 120, Annex IV D), forwarded to the Information Bureau.</summary>
public sealed record DeathCertificate(string Number, string IssuedBy, DateTimeOffset IssuedAt)
{
    public const int NumberMaxLength = 64;
    public const int IssuedByMaxLength = 200;
}

public sealed record DeathDetails(DateTimeOffset DiedAt, string Place, string Cause, DeathManner Manner, DeathCertificate Certificate);

/// <summary>A person's death as certified (GC III Art. 120). One per record; never changed once entered.</summary>
public sealed class Death
{
    public const int PlaceMaxLength = 200;
    public const int CauseMaxLength = 500;
    public const int RecordedByMaxLength = 200;

    private Death()
    {
    }

    public long Id { get; private set; }
    public Guid DeathId { get; private set; }
    /// <summary>The case whose record holds it: the survivor's after a merge.</summary>
    public Guid CaseId { get; private set; }
    public DateTimeOffset DiedAt { get; private set; }
    public string Place { get; private set; } = "";
    /// <summary>The cause as on the death certificate.</summary>
    public string Cause { get; private set; } = "";
    public DeathManner Manner { get; private set; }
    public string CertificateNumber { get; private set; } = "";
    public string CertificateIssuedBy { get; private set; } = "";
    public DateTimeOffset CertificateIssuedAt { get; private set; }
    public DeathCertificate Certificate => new(CertificateNumber, CertificateIssuedBy, CertificateIssuedAt);
    public DateTimeOffset RecordedAt { get; private set; }
    /// <summary>The certifying medic's agency and client, from the verified token (never from the request).</summary>
    public string CertifiedByAgency { get; private set; } = "";
    public string CertifiedByClient { get; private set; } = "";
    /// <summary>The hospital stay the death ended (outcome <see cref="DischargeOutcome.Died"/>), if one was open.</summary>
    public Guid? EndedStayId { get; private set; }
    /// <summary>The enquiry the death opened (Art. 121), if its manner called for one.</summary>
    public Guid? EnquiryId { get; private set; }
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];

    /// <summary>Deaths of these manners are enquired into (GC III Art. 121): unknown cause, or caused or suspected to have been caused by a person.</summary>
    public static EnquiryGrounds? EnquiryGroundsOf(DeathManner manner) => manner switch
    {
        DeathManner.Unknown => EnquiryGrounds.DeathOfUnknownCause,
        DeathManner.CausedByGuard => EnquiryGrounds.DeathCausedByGuard,
        DeathManner.CausedByAnotherPrisoner => EnquiryGrounds.DeathCausedByAnotherPrisoner,
        DeathManner.CausedByOtherPerson => EnquiryGrounds.DeathCausedByOtherPerson,
        _ => null,
    };

    internal static Death Record(MedicalRecord record, DeathDetails details, HospitalStay? ended, Enquiry? enquiry, DateTimeOffset now) => new()
    {
        DeathId = Guid.CreateVersion7(now),
        CaseId = record.CaseId,
        DiedAt = details.DiedAt,
        Place = details.Place,
        Cause = details.Cause,
        Manner = details.Manner,
        CertificateNumber = details.Certificate.Number,
        CertificateIssuedBy = details.Certificate.IssuedBy,
        CertificateIssuedAt = details.Certificate.IssuedAt,
        RecordedAt = now,
        EndedStayId = ended?.StayId,
        EnquiryId = enquiry?.EnquiryId,
    };

    public void CertifiedBy(string agency, string clientId, Guid requestId, byte[] requestHash)
    {
        CertifiedByAgency = agency;
        CertifiedByClient = clientId;
        RequestId = requestId;
        RequestHash = requestHash;
    }

    internal void MoveTo(MedicalRecord survivor) => CaseId = survivor.CaseId;

    /// <summary>
    /// A merge found the person in hospital under the other case and ended that stay at this death
    /// (<see cref="MedicalRecord.SettleOpenStays"/>): it is the stay the death ended, unless the death already named one.
    /// </summary>
    internal void EndedByMerge(HospitalStay stay) => EndedStayId ??= stay.StayId;
}
