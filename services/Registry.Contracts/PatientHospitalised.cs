using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A person was admitted to hospital. Intake owes a new capture card (GC III Art. 70) and a notification
/// to the ICRC (Art. 122); no clinical detail travels with it.
/// </summary>
[MessageUrn("Registry.Contracts:PatientHospitalised")]
[EntityName("Registry.Contracts:PatientHospitalised")]
public sealed record PatientHospitalised
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset HospitalisedAt { get; init; }
    public required string Hospital { get; init; }
}
