using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A decision changed a person's status category (GC III Art. 5); <see cref="Revision"/> is the case's revision after it.
/// <para>Order: intake's outbox publishes the events of one case (<c>CaseRegistered</c>, <c>IdentityUpdated</c>,
/// <c>StatusCategoryChanged</c>, <c>CasesMerged</c> of the merged case) one after the other in the order they were written,
/// so they reach each queue in that order. A consumer can still apply them out of order: several messages of a queue run
/// at once, replicas compete, a message comes back from <c>&lt;queue&gt;_error</c> or is re-queued from the outbox after
/// later ones. A consumer that keeps state from these events therefore applies one only if its <c>Revision</c> is newer
/// than the revision it holds for the case, and ignores an older one (the case's revision only grows).</para>
/// </summary>
[MessageUrn("Registry.Contracts:StatusCategoryChanged")]
[EntityName("Registry.Contracts:StatusCategoryChanged")]
public sealed record StatusCategoryChanged
{
    public required Guid CaseId { get; init; }
    public required string CaseNumber { get; init; }
    public required long Revision { get; init; }
    public string? From { get; init; }
    public required string To { get; init; }
    public required string DecisionReference { get; init; }
    public required string DecidedBy { get; init; }
    public required DateTimeOffset DecidedAt { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
