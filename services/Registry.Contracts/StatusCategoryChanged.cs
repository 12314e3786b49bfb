using MassTransit;

namespace Registry.Contracts;

/// <summary>A decision changed a person's status category (GC III Art. 5).</summary>
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
