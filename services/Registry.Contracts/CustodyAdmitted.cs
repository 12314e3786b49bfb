using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A captured person arrived at a place of internment for the first time. Intake's capture card is due a
/// week after this arrival (GC III Art. 70), and the ICRC learns where the person is held (Art. 122).
/// </summary>
[MessageUrn("Registry.Contracts:CustodyAdmitted")]
[EntityName("Registry.Contracts:CustodyAdmitted")]
public sealed record CustodyAdmitted
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset AdmittedAt { get; init; }
    public required string Facility { get; init; }
    public string? Locality { get; init; }
    /// <summary>ISO 3166-1 alpha-2 of the state where the facility lies.</summary>
    public string? Country { get; init; }
    public required string CustodianAgency { get; init; }
}
