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
    // Field limits, read by the validators and the EF configuration alike.
    public const int DocumentTypeMaxLength = 100;
    public const int DocumentNumberMaxLength = 64;
    public const int ReportedByMaxLength = 200;
    public const int NoteMaxLength = 1000;

    public static readonly AssertionSource Unrecorded = new(SourceKind.Unrecorded, null, null, null, null);
}
