namespace Registry.Medical.Domain;

public enum EncounterKind
{
    /// <summary>The first examination after capture; once per case.</summary>
    IntakeExamination = 1,
    Treatment = 2,
    /// <summary>The periodic inspection (GC III Art. 31).</summary>
    Inspection = 3,
}

public sealed record EncounterDetails(EncounterKind Kind, DateTimeOffset OccurredAt, string Place, string Clinician, string? Notes);

/// <summary>An examination, treatment or inspection of a captured person. Never changed once entered.</summary>
public sealed class Encounter
{
    public const int PlaceMaxLength = 200;
    public const int ClinicianMaxLength = 200;
    public const int NotesMaxLength = 4000;

    internal Encounter()
    {
    }

    public long Id { get; private set; }
    public Guid EncounterId { get; internal init; }
    public Guid CaseId { get; internal init; }
    public EncounterKind Kind { get; internal init; }
    public DateTimeOffset OccurredAt { get; internal init; }
    public DateTimeOffset RecordedAt { get; internal init; }
    public string Place { get; internal init; } = "";
    public string Clinician { get; internal init; } = "";
    public string? Notes { get; internal init; }
    /// <summary>The caller's idempotency key.</summary>
    public Guid RequestId { get; private set; }
    /// <summary>SHA-256 of the request: the same key with another request is refused.</summary>
    public byte[] RequestHash { get; private set; } = [];

    /// <summary>Marks the encounter as the answer to a caller's request (its idempotency key), so a retry replays it.</summary>
    public void AnswersRequest(Guid requestId, byte[] requestHash)
    {
        RequestId = requestId;
        RequestHash = requestHash;
    }
}
