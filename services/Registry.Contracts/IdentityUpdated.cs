using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// Identity facts of a case were asserted anew (a correction, a document, the person's own
/// statement). Carries the resulting names and Art. 17 facts, so a consumer's copy can follow.
/// </summary>
[MessageUrn("Registry.Contracts:IdentityUpdated")]
[EntityName("Registry.Contracts:IdentityUpdated")]
public sealed record IdentityUpdated
{
    public required Guid CaseId { get; init; }
    public required string CaseNumber { get; init; }
    public required long Revision { get; init; }
    public required IReadOnlyList<string> ChangedFields { get; init; }
    /// <summary>StatedByPerson, Document, ThirdParty or Unrecorded.</summary>
    public required string Source { get; init; }
    public string? FamilyName { get; init; }
    public string? GivenNames { get; init; }
    public string? FamilyNameLatin { get; init; }
    public string? GivenNamesLatin { get; init; }
    public string? Rank { get; init; }
    public string? ServiceNumber { get; init; }
    public string? DateOfBirth { get; init; }
    public string? Nationality { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
