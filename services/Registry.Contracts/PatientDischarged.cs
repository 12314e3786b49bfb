using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A patient left hospital alive (a death in hospital is <see cref="DeathRecorded"/> instead). Custody follows it;
/// no clinical detail travels with it: neither the reason for the stay nor its outcome.
/// </summary>
[MessageUrn("Registry.Contracts:PatientDischarged")]
[EntityName("Registry.Contracts:PatientDischarged")]
public sealed record PatientDischarged
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset DischargedAt { get; init; }
    /// <summary>The hospital's name, as <see cref="PatientHospitalised.Hospital"/> named it.</summary>
    public required string Hospital { get; init; }
}
