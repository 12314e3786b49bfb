using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A coordinator shared a case with a partner agency: from <see cref="SharedAt"/> until <see cref="ValidUntil"/>
/// (or a <see cref="CaseShareRevoked"/> of the same <see cref="ShareId"/>) the partner may read the case's
/// identity and custody, never its medical part. Services that enforce the access table for the partner keep a
/// copy keyed by <see cref="ShareId"/>. Ordered with the case's other events (its <see cref="CaseId"/>), but a
/// consumer may still see a revocation first (separate queues, redelivery): a revocation wins whatever the order.
/// </summary>
[MessageUrn("Registry.Contracts:CaseShared")]
[EntityName("Registry.Contracts:CaseShared")]
public sealed record CaseShared
{
    public required Guid ShareId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CaseNumber { get; init; }
    /// <summary>The partner's agency code, as its tokens carry it (e.g. KR-NIS).</summary>
    public required string PartnerAgency { get; init; }
    public required DateTimeOffset ValidUntil { get; init; }
    public required DateTimeOffset SharedAt { get; init; }
}
