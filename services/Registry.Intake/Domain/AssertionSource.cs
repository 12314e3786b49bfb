namespace Registry.Intake.Domain;

public enum SourceKind
{
    Unrecorded = 0,
    StatedByPerson = 1,
    Document = 2,
    ThirdParty = 3,
}

/// <summary>Where an identity fact comes from: said by the person, read from a document, or reported by someone else.</summary>
public sealed record AssertionSource(SourceKind Kind, string? DocumentType, string? DocumentNumber, string? ReportedBy, string? Note)
{
    public static readonly AssertionSource Unrecorded = new(SourceKind.Unrecorded, null, null, null, null);
}
