using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// Two cases turned out to be one person: the merged case now points to the survivor. Nothing was
/// deleted; consumers holding records of the merged case should follow them to the survivor. It is the last event of the
/// merged case and is ordered with that case's events (see <see cref="IdentityUpdated"/>), after all of them.
/// </summary>
[MessageUrn("Registry.Contracts:CasesMerged")]
[EntityName("Registry.Contracts:CasesMerged")]
public sealed record CasesMerged
{
    public required Guid SurvivorCaseId { get; init; }
    public required string SurvivorCaseNumber { get; init; }
    public required Guid MergedCaseId { get; init; }
    public required string MergedCaseNumber { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset MergedAt { get; init; }
}
