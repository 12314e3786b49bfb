namespace Registry.Intake.Domain;

/// <summary>
/// One claim about one identity fact, as made by one source. Never changed or deleted: conflicting
/// claims coexist (one of the seed story's men carried another person's document), and the case
/// shows the latest of each field.
/// </summary>
public sealed class IdentityAssertion
{
    public long Id { get; set; }
    public Guid CaseId { get; set; }
    public required string Field { get; set; }
    /// <summary>Null asserts that the fact is unknown.</summary>
    public string? Value { get; set; }
    public SourceKind SourceKind { get; set; }
    public string? DocumentType { get; set; }
    public string? DocumentNumber { get; set; }
    public string? ReportedBy { get; set; }
    public string? Note { get; set; }
    public bool RequiredByArticle17 { get; set; }
    public long Revision { get; set; }
    public DateTimeOffset AssertedAt { get; set; }

    public AssertionSource Source => new(SourceKind, DocumentType, DocumentNumber, ReportedBy, Note);
}
