using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// Medical followed intake's <see cref="CasesMerged"/> for a person marked seriously ill or wounded under the merged
/// case: the weekly health report clock (GC III Art. 122) now runs on the survivor's record only, since the earlier
/// of the two marks and due at the earlier of the two due times (a report overdue under either case stays overdue),
/// and the merged record's clock has stopped. Medical publishes it (it alone knows both records' clocks); each
/// record's version guards against an older event delivered late. No fact for the ICRC: the merge is notified by intake.
/// </summary>
[MessageUrn("Registry.Contracts:WeeklyReportClockMerged")]
[EntityName("Registry.Contracts:WeeklyReportClockMerged")]
public sealed record WeeklyReportClockMerged
{
    public required Guid SurvivorCaseId { get; init; }
    public required long SurvivorRecordVersion { get; init; }
    public required DateTimeOffset SeriouslyIllSince { get; init; }
    public required DateTimeOffset NextReportDueAt { get; init; }
    public required Guid MergedCaseId { get; init; }
    public required long MergedRecordVersion { get; init; }
}
