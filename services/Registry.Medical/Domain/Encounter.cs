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
    public long Id { get; set; }
    public Guid EncounterId { get; set; }
    public Guid CaseId { get; set; }
    public EncounterKind Kind { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public required string Place { get; set; }
    public required string Clinician { get; set; }
    public string? Notes { get; set; }
    /// <summary>The caller's idempotency key.</summary>
    public Guid RequestId { get; set; }
    /// <summary>SHA-256 of the request: the same key with another request is refused.</summary>
    public byte[] RequestHash { get; set; } = [];
}
