using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A share of a case with a partner agency was revoked at <see cref="RevokedAt"/>: the partner reads the case
/// no more. Final: a later <see cref="CaseShared"/> of the same <see cref="ShareId"/> (redelivered, or seen
/// out of order) does not revive it.
/// </summary>
[MessageUrn("Registry.Contracts:CaseShareRevoked")]
[EntityName("Registry.Contracts:CaseShareRevoked")]
public sealed record CaseShareRevoked
{
    public required Guid ShareId { get; init; }
    public required Guid CaseId { get; init; }
    public required string PartnerAgency { get; init; }
    public required DateTimeOffset RevokedAt { get; init; }
}
