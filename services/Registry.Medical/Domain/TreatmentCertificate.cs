using Registry.ServiceDefaults.Domain;

namespace Registry.Medical.Domain;

/// <summary>What the medic states on a certificate of treatment (GC III Art. 30), as the request gave it.</summary>
/// <param name="RequestedAt">When the prisoner asked for it (Art. 30: "on request").</param>
/// <param name="ConditionIds">The record's conditions whose nature the certificate states (their descriptions are copied).</param>
/// <param name="Nature">The nature of the illness or injury in the medic's words, beside or instead of the conditions.</param>
/// <param name="Treatment">The kind of treatment received.</param>
/// <param name="TreatmentFrom">The start of the treatment.</param>
/// <param name="TreatmentTo">Its end; null while it goes on.</param>
/// <param name="Place">Where the treatment was given, or the certificate issued.</param>
/// <param name="MedicName">The issuing medic's name, as stated.</param>
/// <param name="MedicFunction">The issuing medic's function, as stated (e.g. "military surgeon").</param>
/// <param name="Language">The ISO 639-1 code of the prisoner's copy's language (<see cref="CertificateLanguages"/>).</param>
public sealed record CertificateStatement(
    DateTimeOffset RequestedAt,
    IReadOnlyList<Guid> ConditionIds,
    string? Nature,
    string Treatment,
    DateTimeOffset TreatmentFrom,
    DateTimeOffset? TreatmentTo,
    string Place,
    string MedicName,
    string MedicFunction,
    string Language);

/// <summary>
/// A certificate of treatment (GC III Art. 30: "Every prisoner of war who has undergone treatment shall be given, on
/// request, an official certificate indicating the nature of his illness or injury, and the duration and kind of
/// treatment received"). A document: what it states is copied in when issued (the case number, the name medical held,
/// the descriptions of the conditions it names) and never changes afterwards, so that it reads the same whenever it is
/// rendered. Numbered TC-000001, TC-000002, ... by the store (<see cref="Number"/>).
/// </summary>
public sealed class TreatmentCertificate
{
    public const string ResourceType = "registry.medical.v1.TreatmentCertificate";
    public const int NatureMaxLength = 2000;
    public const int TreatmentMaxLength = 2000;
    public const int PlaceMaxLength = 200;
    public const int MedicMaxLength = 200;
    public const int IssuedByMaxLength = 200;
    public const int LanguageMaxLength = 8;
    /// <summary>A condition as the certificate states it: description, body site and cause (Condition's limits, 500 + 200 + 500, and separators).</summary>
    public const int ConditionStatedMaxLength = 1300;
    /// <summary>At most this many conditions on one certificate.</summary>
    public const int MaxConditions = 20;

    private TreatmentCertificate()
    {
    }

    /// <summary>Given by the store (an identity column) when the certificate is first saved: unique, increasing, gaps possible.</summary>
    public long Number { get; private set; }

    /// <summary>The number people read and quote, e.g. TC-000001.</summary>
    public string CertificateNumber => FormatNumber(Number);

    public Guid CertificateId { get; private set; }
    /// <summary>The case whose record holds it: the survivor's after a merge; <see cref="CaseNumber"/> stays the one printed.</summary>
    public Guid CaseId { get; private set; }
    /// <summary>The case number as it stood when issued (printed on the certificate).</summary>
    public string CaseNumber { get; private set; } = "";
    /// <summary>The name medical held when issued (a copy of the record's, not the same instance); null when its record had none.</summary>
    public PersonName? Name { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public List<Guid> ConditionIds { get; private set; } = [];
    /// <summary>The named conditions as printed: "description (body site; cause)", in the order named.</summary>
    public List<string> ConditionsStated { get; private set; } = [];
    public string? Nature { get; private set; }
    public string Treatment { get; private set; } = "";
    public DateTimeOffset TreatmentFrom { get; private set; }
    /// <summary>Null: the treatment goes on ("ongoing").</summary>
    public DateTimeOffset? TreatmentTo { get; private set; }
    public string Place { get; private set; } = "";
    public string MedicName { get; private set; } = "";
    public string MedicFunction { get; private set; } = "";
    /// <summary>The agency of the issuing medic, from the caller's verified token (never from the request).</summary>
    public string IssuedByAgency { get; private set; } = "";
    /// <summary>The OAuth client (the medic's agency system) that issued it, from the caller's verified token.</summary>
    public string IssuedByClient { get; private set; } = "";
    public DateTimeOffset IssuedAt { get; private set; }
    /// <summary>The language of the prisoner's copy (ISO 639-1); the registry's copy is in English.</summary>
    public string Language { get; private set; } = "";
    /// <summary>The caller's idempotency key.</summary>
    public Guid RequestId { get; private set; }
    /// <summary>SHA-256 of the request: the same key with another request is refused.</summary>
    public byte[] RequestHash { get; private set; } = [];

    public string Subject => $"certificates/{CertificateId}";

    public static string FormatNumber(long number) => $"TC-{number:D6}";

    /// <summary>
    /// Issues a certificate of <paramref name="record"/>'s treatment. <paramref name="conditions"/> are the record's
    /// conditions among those the statement names. Refused on a record that takes no more writes
    /// (<see cref="MedicalRecord.EnsureOpen"/>), and when a named condition is not the record's
    /// (FAILED_PRECONDITION CONDITION_NOT_ON_RECORD). The dates are checked against the record's by the caller
    /// (field violations); <paramref name="issuedBy"/> is the verified token's agency and client.
    /// </summary>
    public static TreatmentCertificate Issue(
        MedicalRecord record, CertificateStatement statement, IReadOnlyList<Condition> conditions,
        (string Agency, string ClientId) issuedBy, DateTimeOffset now)
    {
        record.EnsureOpen();
        var stated = new List<string>();
        foreach (var id in statement.ConditionIds)
        {
            var condition = conditions.SingleOrDefault(c => c.ConditionId == id && c.CaseId == record.CaseId)
                ?? throw new RuleViolationException("CONDITION_NOT_ON_RECORD", MedicalRecord.ResourceType, record.Subject,
                    $"Condition {id} is not a condition of case {record.CaseNumber}; name one of its record (GetMedicalRecord).");
            stated.Add(Stated(condition));
        }

        return new TreatmentCertificate
        {
            CertificateId = Guid.CreateVersion7(now),
            CaseId = record.CaseId,
            CaseNumber = record.CaseNumber,
            // A copy: EF tracks an owned value per owner, and one instance under two owners (record and certificate)
            // is tracked twice (warning DuplicateDependentEntityTypeInstanceWarning, Update 10001).
            Name = record.Name is { } name ? name with { } : null,
            RequestedAt = statement.RequestedAt,
            ConditionIds = [.. statement.ConditionIds],
            ConditionsStated = stated,
            Nature = statement.Nature,
            Treatment = statement.Treatment,
            TreatmentFrom = statement.TreatmentFrom,
            TreatmentTo = statement.TreatmentTo,
            Place = statement.Place,
            MedicName = statement.MedicName,
            MedicFunction = statement.MedicFunction,
            IssuedByAgency = issuedBy.Agency,
            IssuedByClient = issuedBy.ClientId,
            IssuedAt = now,
            Language = statement.Language,
        };
    }

    /// <summary>Marks the certificate as the answer to a caller's request (its idempotency key), so a retry replays it.</summary>
    public void AnswersRequest(Guid requestId, byte[] requestHash)
    {
        RequestId = requestId;
        RequestHash = requestHash;
    }

    /// <summary>The person's certificates move with the record when two cases of the person are merged (the printed case number stays).</summary>
    internal void MoveTo(MedicalRecord survivor) => CaseId = survivor.CaseId;

    /// <summary>A condition as a certificate states it: "Fragment wounds of the lower face and jaw (face, jaw; grenade ...)".</summary>
    public static string Stated(Condition c)
    {
        var detail = string.Join("; ", new[] { c.BodySite, c.Cause }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return detail.Length == 0 ? c.Description : $"{c.Description} ({detail})";
    }
}

/// <summary>
/// The languages a prisoner's copy of a certificate can be in: its labels are translated into each (the registry's
/// copy is in English). Chosen for the registry's people: English, Ukrainian and Russian, and Korean, which the seed
/// story's prisoners read.
/// </summary>
public static class CertificateLanguages
{
    /// <summary>ISO 639-1 codes.</summary>
    public static readonly IReadOnlyList<string> Supported = ["en", "ko", "ru", "uk"];
}
