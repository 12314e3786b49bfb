using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A case was opened for a captured person. Carries what custody and medical need to open
/// their own records without asking intake. Fields added after the first version are optional,
/// so that a message written by an older intake still reads. It is the first event of its case: the case's later events
/// (see <see cref="IdentityUpdated"/>) leave intake after it, and <see cref="Revision"/> is the revision they start from.
/// </summary>
[MessageUrn("Registry.Contracts:CaseRegistered")]
[EntityName("Registry.Contracts:CaseRegistered")]
public sealed record CaseRegistered
{
    public required Guid CaseId { get; init; }
    public required string CaseNumber { get; init; }
    public required string FamilyName { get; init; }
    public required string GivenNames { get; init; }
    public required DateTimeOffset CapturedAt { get; init; }
    public required string CapturePlace { get; init; }
    public required string CapturingAgency { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
    public string? FamilyNameLatin { get; init; }
    public string? GivenNamesLatin { get; init; }
    public string? Rank { get; init; }
    public string? ServiceNumber { get; init; }
    /// <summary>YYYY, YYYY-MM or YYYY-MM-DD.</summary>
    public string? DateOfBirth { get; init; }
    /// <summary>ISO 3166-1 alpha-2.</summary>
    public string? Nationality { get; init; }
    /// <summary>MALE or FEMALE, when known.</summary>
    public string? Sex { get; init; }
    /// <summary>BCP 47 tags: the languages the person understands (questioning only in one of them, Art. 17).</summary>
    public IReadOnlyList<string>? Languages { get; init; }
    public string? CapturingUnit { get; init; }
    /// <summary>PrisonerOfWar, PendingDetermination, CivilianInternee or Other.</summary>
    public string? StatusCategory { get; init; }
    public long? Revision { get; init; }
}
