namespace Registry.Medical.Domain;

/// <summary>A hospital: its name, locality and country (ISO 3166-1 alpha-2).</summary>
public sealed record HospitalRef(string Name, string? Locality, string Country)
{
    public const int NameMaxLength = 200;
    public const int LocalityMaxLength = 200;

    public string Describe() => string.Join(", ", new[] { Name, Locality, Country }.Where(p => !string.IsNullOrEmpty(p)));
}

public enum DischargeOutcome
{
    Recovered = 1,
    Improved = 2,
    Unchanged = 3,
    /// <summary>Moved to another hospital, where the patient is admitted next.</summary>
    Transferred = 4,
    /// <summary>The patient died in hospital: set by <see cref="MedicalRecord.RecordDeath"/> only.</summary>
    Died = 5,
}

/// <summary>
/// One stay in hospital, from admission to discharge (or death). The reason, the outcome and the notes are clinical
/// (medic only); the bus learns only the hospital and the dates (<c>PatientHospitalised</c>, <c>PatientDischarged</c>).
/// </summary>
public sealed class HospitalStay
{
    public const int ReasonMaxLength = 2000;
    public const int NotesMaxLength = 4000;
    public const int RecordedByMaxLength = 200;

    private HospitalStay()
    {
    }

    public long Id { get; private set; }
    public Guid StayId { get; private set; }
    /// <summary>The case whose record holds it: the survivor's after a merge.</summary>
    public Guid CaseId { get; private set; }
    public string HospitalName { get; private set; } = "";
    public string? HospitalLocality { get; private set; }
    public string HospitalCountry { get; private set; } = "";
    public HospitalRef Hospital => new(HospitalName, HospitalLocality, HospitalCountry);
    public DateTimeOffset AdmittedAt { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
    public string Reason { get; private set; } = "";
    public DateTimeOffset? DischargedAt { get; private set; }
    public DischargeOutcome? Outcome { get; private set; }
    public string? DischargeNotes { get; private set; }
    /// <summary>The admitting medic's agency and client, from the verified token.</summary>
    public string AdmittedByAgency { get; private set; } = "";
    public string AdmittedByClient { get; private set; } = "";
    /// <summary>The discharging medic's agency and client (the certifying medic's when the death ended the stay).</summary>
    public string? DischargedByAgency { get; private set; }
    public string? DischargedByClient { get; private set; }
    /// <summary>The admission's idempotency key and request hash.</summary>
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];
    /// <summary>The discharge's idempotency key and request hash; null while open or when the death ended the stay.</summary>
    public Guid? DischargeRequestId { get; private set; }
    public byte[]? DischargeRequestHash { get; private set; }

    public bool IsOpen => DischargedAt is null;

    internal static HospitalStay Admit(MedicalRecord record, HospitalRef hospital, DateTimeOffset admittedAt, string reason, DateTimeOffset now) => new()
    {
        StayId = Guid.CreateVersion7(now),
        CaseId = record.CaseId,
        HospitalName = hospital.Name,
        HospitalLocality = hospital.Locality,
        HospitalCountry = hospital.Country,
        AdmittedAt = admittedAt,
        Reason = reason,
        RecordedAt = now,
    };

    public void AdmittedBy(string agency, string clientId, Guid requestId, byte[] requestHash)
    {
        AdmittedByAgency = agency;
        AdmittedByClient = clientId;
        RequestId = requestId;
        RequestHash = requestHash;
    }

    public void DischargedBy(string agency, string clientId, Guid? requestId, byte[]? requestHash)
    {
        DischargedByAgency = agency;
        DischargedByClient = clientId;
        DischargeRequestId = requestId;
        DischargeRequestHash = requestHash;
    }

    /// <summary>
    /// One person is in one hospital at a time: of several stays open at once (two cases of the person merged, each in
    /// hospital), the latest admission stays open and each earlier one ends at the next one's admission with outcome
    /// <see cref="DischargeOutcome.Transferred"/> (the person moved on to it), with <paramref name="note"/> as its notes.
    /// Returns the stay left open (null when none) and the stays ended.
    /// </summary>
    internal static (HospitalStay? Open, IReadOnlyList<HospitalStay> Ended) KeepLatestOpen(IEnumerable<HospitalStay> open, string note)
    {
        var stays = open.Where(s => s.IsOpen).Distinct().OrderBy(s => s.AdmittedAt).ThenBy(s => s.StayId).ToList();
        for (var i = 0; i < stays.Count - 1; i++)
        {
            stays[i].End(stays[i + 1].AdmittedAt, DischargeOutcome.Transferred, note);
        }

        return (stays.LastOrDefault(), stays.SkipLast(1).ToList());
    }

    internal void End(DateTimeOffset at, DischargeOutcome outcome, string? notes)
    {
        DischargedAt = at;
        Outcome = outcome;
        DischargeNotes = notes;
    }

    /// <summary>The person's stay moves with the record it belongs to when two cases of the person are merged.</summary>
    internal void MoveTo(MedicalRecord survivor) => CaseId = survivor.CaseId;
}
