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
    public const int RecordedByMaxLength = 200;

    internal Encounter()
    {
    }

    public long Id { get; private set; }
    public Guid EncounterId { get; internal init; }
    /// <summary>The case whose record holds it: the survivor's after a merge (<see cref="MedicalRecord.Absorb"/>).</summary>
    public Guid CaseId { get; internal set; }
    public EncounterKind Kind { get; internal init; }
    public DateTimeOffset OccurredAt { get; internal init; }
    public DateTimeOffset RecordedAt { get; internal init; }
    public string Place { get; internal init; } = "";
    public string Clinician { get; internal init; } = "";
    public string? Notes { get; internal init; }
    /// <summary>The agency of the medic who entered it, from the caller's verified token (never from the request).</summary>
    public string RecordedByAgency { get; private set; } = "";
    /// <summary>The OAuth client (the medic's agency system) that entered it, from the caller's verified token.</summary>
    public string RecordedByClient { get; private set; } = "";
    /// <summary>The caller's idempotency key.</summary>
    public Guid RequestId { get; private set; }
    /// <summary>SHA-256 of the request: the same key with another request is refused.</summary>
    public byte[] RequestHash { get; private set; } = [];

    /// <summary>Notes who entered the encounter: the agency and client of the caller's verified token.</summary>
    public void RecordedBy(string agency, string clientId)
    {
        RecordedByAgency = agency;
        RecordedByClient = clientId;
    }

    /// <summary>Marks the encounter as the answer to a caller's request (its idempotency key), so a retry replays it.</summary>
    public void AnswersRequest(Guid requestId, byte[] requestHash)
    {
        RequestId = requestId;
        RequestHash = requestHash;
    }
}
