using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// An escaped person was recaptured and is held again (GC III Art. 91-94); intake notifies the ICRC (Art. 122) and
/// owes a new capture card for the new place (Art. 70).
/// </summary>
[MessageUrn("Registry.Contracts:PrisonerRecaptured")]
[EntityName("Registry.Contracts:PrisonerRecaptured")]
public sealed record PrisonerRecaptured
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset RecapturedAt { get; init; }
    public required string Facility { get; init; }
    public string? Locality { get; init; }
    public string? Country { get; init; }
    public required string CustodianAgency { get; init; }
}
