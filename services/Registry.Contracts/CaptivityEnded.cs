using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A person's captivity ended other than by death (a death is medical's <see cref="DeathRecorded"/>): released,
/// repatriated (GC III Art. 109-118), handed over in a prisoner exchange, or transferred to another state party
/// (Art. 12). Intake notifies the ICRC (Art. 122) and no capture card is owed after it.
/// </summary>
[MessageUrn("Registry.Contracts:CaptivityEnded")]
[EntityName("Registry.Contracts:CaptivityEnded")]
public sealed record CaptivityEnded
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
    /// <summary>How: <c>RELEASED</c>, <c>REPATRIATED</c>, <c>EXCHANGED</c> or <c>TRANSFERRED_TO_THIRD_STATE</c> (custody.proto's CustodyState names).</summary>
    public required string Way { get; init; }
    /// <summary>The facts as custody recorded them (e.g. the exchange list's reference and counterpart), without any private interview's content.</summary>
    public string? Detail { get; init; }
    /// <summary>ISO 3166-1 alpha-2 of the state the person went to (repatriation, exchange, third state), when known.</summary>
    public string? ToState { get; init; }
}
