using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A weekly health report of a person marked seriously ill or wounded was recorded (GC III Art. 122). Carries the
/// state of health as a category only (<see cref="State"/>: Improving, Stable, Deteriorating or Critical), never the
/// clinical notes, and the next report's due time (7 days after the latest report). <see cref="RecordVersion"/> as in
/// <see cref="SeriouslyIllMarked"/>.
/// </summary>
[MessageUrn("Registry.Contracts:WeeklyHealthReportRecorded")]
[EntityName("Registry.Contracts:WeeklyHealthReportRecorded")]
public sealed record WeeklyHealthReportRecorded
{
    public required Guid CaseId { get; init; }
    public required Guid ReportId { get; init; }
    public required DateTimeOffset ReportedAt { get; init; }
    public required string State { get; init; }
    public required DateTimeOffset NextReportDueAt { get; init; }
    public required long RecordVersion { get; init; }
}
