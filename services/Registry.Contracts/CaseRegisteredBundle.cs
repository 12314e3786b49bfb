using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// Several <see cref="CaseRegistered"/> events in one bus message, each still an event of its own: intake's outbox
/// holds one row per case as always, and its dispatcher publishes the <c>CaseRegistered</c> rows of one round
/// (up to <c>Messaging:Outbox:BundleLimit</c>, default 100) as one bundle instead of a message each, so that a bulk
/// import costs the broker and the consumers one message per hundred cases, not per case (docs/performance.md, issue
/// 15). <see cref="MessageIds"/>[i] is the message id <see cref="Events"/>[i] would have had on its own (its outbox
/// row's), which the consumers' inboxes record, so an event applied from a bundle and again on its own is applied
/// once. A consumer that cannot apply a bundle in one transaction sends each event on to its own queue as a single
/// <see cref="CaseRegistered"/> under that id, where it is applied, retried or refused on its own.
/// <para>Not written to the outbox (the dispatcher forms it as it publishes), so it has no ordering key: each event
/// in it is the first pending row of its case in the dispatcher's round, and the case's later rows leave intake after
/// the bundle's confirm.</para>
/// <para>Roll-out: custody and medical consume bundles before an intake that sends them is deployed (a bundle no queue
/// is bound for is lost); <c>Messaging:Outbox:BundleLimit=1</c> on intake sends every event on its own, as before
/// bundles.</para>
/// </summary>
[MessageUrn("Registry.Contracts:CaseRegisteredBundle")]
[EntityName("Registry.Contracts:CaseRegisteredBundle")]
public sealed record CaseRegisteredBundle
{
    /// <summary>The message id of each event, in the order of <see cref="Events"/>: as many as there are events, none twice.</summary>
    public required IReadOnlyList<Guid> MessageIds { get; init; }

    /// <summary>The events, 1 to 1,000 (more is refused); intake sends each case's in a bundle once.</summary>
    public required IReadOnlyList<CaseRegistered> Events { get; init; }
}
