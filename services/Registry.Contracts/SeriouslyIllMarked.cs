using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A medic marked a person seriously ill or wounded (GC III Art. 122): from now on the state of health is owed to
/// the ICRC regularly, "every week if possible", and the first weekly health report is due at
/// <see cref="NextReportDueAt"/> (7 days after <see cref="Since"/>). No clinical detail travels with it (the grounds
/// stay in medical). <see cref="RecordVersion"/> is the medical record's version after the change: a consumer keeping
/// the weekly report clock applies the highest version it has seen and ignores an older one delivered late.
/// </summary>
[MessageUrn("Registry.Contracts:SeriouslyIllMarked")]
[EntityName("Registry.Contracts:SeriouslyIllMarked")]
public sealed record SeriouslyIllMarked
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset Since { get; init; }
    public required DateTimeOffset NextReportDueAt { get; init; }
    public required long RecordVersion { get; init; }
}
