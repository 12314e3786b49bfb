using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A person in custody was moved to another place of internment (or handed to another power). Intake
/// owes a new capture card (GC III Art. 70) and a notification to the ICRC (Art. 122) for it.
/// </summary>
[MessageUrn("Registry.Contracts:CustodyTransferred")]
[EntityName("Registry.Contracts:CustodyTransferred")]
public sealed record CustodyTransferred
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset TransferredAt { get; init; }
    public string? FromFacility { get; init; }
    public required string ToFacility { get; init; }
    /// <summary>ISO 3166-1 alpha-2 of the receiving power, when the transfer is to another state (Art. 12).</summary>
    public string? ToPower { get; init; }
}
