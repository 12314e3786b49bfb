namespace Registry.Intake.Domain;

/// <summary>
/// The weekly health report clock of one medical record (GC III Art. 122: the state of health of the seriously ill or
/// wounded "regularly, every week if possible"), as medical publishes it. Medical owns the clock; intake keeps this
/// copy so that the Information Bureau's one overdue view (ListOverdue) can sort it with the capture cards and the ICRC
/// notifications in one store. Keyed by the medical record's case (medical's record of a merged case keeps its own
/// versions); <see cref="RecordVersion"/> is the highest version of that record applied, so an older event delivered
/// late changes nothing. A stopped clock stays as a row (<see cref="DueAt"/> null) to keep its version.
/// </summary>
public sealed class WeeklyReportClock
{
    private WeeklyReportClock()
    {
    }

    public long Id { get; private set; }
    /// <summary>The case of the medical record the clock belongs to (the event's case, not followed through merges).</summary>
    public Guid CaseId { get; private set; }
    public long RecordVersion { get; private set; }
    /// <summary>When the next weekly report is due; null when the clock has stopped.</summary>
    public DateTimeOffset? DueAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public static WeeklyReportClock For(Guid caseId) => new() { CaseId = caseId, RecordVersion = -1 };

    /// <summary>
    /// The record's clock as of <paramref name="version"/>: due at <paramref name="dueAt"/>, or stopped (null).
    /// Returns false, changing nothing, for a version not newer than the one applied.
    /// </summary>
    public bool Apply(long version, DateTimeOffset? dueAt, DateTimeOffset now)
    {
        if (version <= RecordVersion)
        {
            return false;
        }

        RecordVersion = version;
        DueAt = dueAt;
        UpdatedAt = now;
        return true;
    }
}
