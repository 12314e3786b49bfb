using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// Identity facts of a case were asserted anew (a correction, a document, the person's own
/// statement). Carries the resulting names and Art. 17 facts, so a consumer's copy can follow; <see cref="Revision"/>
/// is the case's revision after the change.
/// <para>Order: intake's outbox publishes the events of one case (<c>CaseRegistered</c>, <c>IdentityUpdated</c>,
/// <c>StatusCategoryChanged</c>, <c>CasesMerged</c> of the merged case) one after the other in the order they were written,
/// so they reach each queue in that order. A consumer can still apply them out of order: several messages of a queue run
/// at once, replicas compete, a message comes back from <c>&lt;queue&gt;_error</c> or is re-queued from the outbox after
/// later ones. A consumer that keeps state from these events therefore applies one only if its <c>Revision</c> is newer
/// than the revision it holds for the case, and ignores an older one (the case's revision only grows).</para>
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
