namespace Registry.Intake.Domain;

/// <summary>
/// One claim about one identity fact, as made by one source. Never changed or deleted: conflicting
/// claims coexist (one of the seed story's men carried another person's document), and the case
/// shows the latest of each field.
/// </summary>
public sealed class IdentityAssertion
{
    // Field limits, read by the validators and the EF configuration alike.
    public const int FieldMaxLength = 40;
    public const int ValueMaxLength = 1000;

    private IdentityAssertion()
    {
    }

    public long Id { get; private set; }
    public Guid CaseId { get; private set; }
    public string Field { get; private set; } = "";
    /// <summary>Null asserts that the fact is unknown.</summary>
    public string? Value { get; private set; }
    public SourceKind SourceKind { get; private set; }
    public string? DocumentType { get; private set; }
    public string? DocumentNumber { get; private set; }
    public string? ReportedBy { get; private set; }
    public string? Note { get; private set; }
    public bool RequiredByArticle17 { get; private set; }
    public long Revision { get; private set; }
    public DateTimeOffset AssertedAt { get; private set; }

    /// <summary>A claim about <paramref name="field"/>, made at <paramref name="revision"/> of its case (<see cref="CaptureCase.Assert"/>).</summary>
    internal static IdentityAssertion Made(Guid caseId, IdentityField field, string? value, AssertionSource source, long revision, DateTimeOffset now) => new()
    {
        CaseId = caseId,
        Field = field.Name,
        Value = value,
        SourceKind = source.Kind,
        DocumentType = source.DocumentType,
        DocumentNumber = source.DocumentNumber,
        ReportedBy = source.ReportedBy,
        Note = source.Note,
        RequiredByArticle17 = field.RequiredByArticle17,
        Revision = revision,
        AssertedAt = now,
    };

    public AssertionSource Source => new(SourceKind, DocumentType, DocumentNumber, ReportedBy, Note);
}
