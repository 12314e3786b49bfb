using MassTransit;

namespace Registry.Contracts;

/// <summary>A person escaped from custody (GC III Art. 91-94); intake notifies the ICRC (Art. 122).</summary>
[MessageUrn("Registry.Contracts:PrisonerEscaped")]
[EntityName("Registry.Contracts:PrisonerEscaped")]
public sealed record PrisonerEscaped
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset EscapedAt { get; init; }
    /// <summary>Where from: the place of internment, hospital or transfer, as custody describes it.</summary>
    public string? From { get; init; }
}
