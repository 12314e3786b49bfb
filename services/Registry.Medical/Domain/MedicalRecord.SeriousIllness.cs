using Registry.ServiceDefaults.Domain;

namespace Registry.Medical.Domain;

/// <summary>Seriously ill or wounded (GC III Art. 122) and the weekly health report clock that runs while marked.</summary>
public sealed partial class MedicalRecord
{
    /// <summary>GC III Art. 122: the state of health of the seriously ill or wounded "regularly, every week if possible".</summary>
    public static readonly TimeSpan WeeklyReportInterval = TimeSpan.FromDays(7);

    /// <summary>Set while marked seriously ill or wounded: since when (the earliest mark after a merge).</summary>
    public DateTimeOffset? SeriouslyIllSince { get; private set; }

    /// <summary>While marked: when the next weekly health report is due (7 days after the mark, then after the latest report).</summary>
    public DateTimeOffset? WeeklyReportDueBy { get; private set; }

    /// <summary>While marked: the latest weekly health report's time; null before the first.</summary>
    public DateTimeOffset? LastWeeklyReportAt { get; private set; }

    /// <summary>
    /// Marks the person seriously ill or wounded from <paramref name="since"/> (not before the capture or birth: the caller
    /// checks <see cref="Dates"/>). The first weekly report falls due 7 days after <paramref name="since"/>.
    /// <paramref name="previousUntil"/> is the end of the record's latest ended spell, if any: a new spell starts at or
    /// after it, so spells never overlap (one person is either marked or not at an instant).
    /// FAILED_PRECONDITION ALREADY_SERIOUSLY_ILL when marked already, SINCE_BEFORE_PREVIOUS_UNTIL when
    /// <paramref name="since"/> falls inside an earlier spell; CASE_MERGED on a merged record.
    /// </summary>
    public SeriousIllness MarkSeriouslyIll(DateTimeOffset since, string grounds, DateTimeOffset? previousUntil, DateTimeOffset now)
    {
        EnsureOpen();
        if (SeriouslyIllSince is { } marked)
        {
            throw new RuleViolationException("ALREADY_SERIOUSLY_ILL", ResourceType, Subject,
                $"Case {CaseNumber} is marked seriously ill or wounded since {marked:u}; unmark it before marking it again.");
        }

        if (since < previousUntil)
        {
            throw new RuleViolationException("SINCE_BEFORE_PREVIOUS_UNTIL", ResourceType, Subject,
                $"Case {CaseNumber} was marked seriously ill or wounded until {previousUntil:u}; a new mark cannot begin at {since:u}, before that.");
        }

        SeriouslyIllSince = since;
        LastWeeklyReportAt = null;
        WeeklyReportDueBy = since + WeeklyReportInterval;
        Status = DeriveStatus();
        Version++;
        return SeriousIllness.Marked(this, since, grounds, now);
    }

    /// <summary>
    /// Enters a weekly health report; the next one falls due 7 days after the latest report. FAILED_PRECONDITION
    /// NOT_SERIOUSLY_ILL when not marked, REPORT_BEFORE_MARK when <paramref name="reportedAt"/> is before the mark.
    /// </summary>
    public WeeklyHealthReport RecordWeeklyHealthReport(DateTimeOffset reportedAt, HealthState state, string? notes, DateTimeOffset now)
    {
        EnsureOpen();
        var since = SeriouslyIllSince ?? throw NotSeriouslyIll("record a weekly health report");
        if (reportedAt < since)
        {
            throw new RuleViolationException("REPORT_BEFORE_MARK", ResourceType, Subject,
                $"Case {CaseNumber} is marked seriously ill or wounded since {since:u}; a report of {reportedAt:u} is before it.");
        }

        if (LastWeeklyReportAt is null || reportedAt > LastWeeklyReportAt)
        {
            LastWeeklyReportAt = reportedAt;
            WeeklyReportDueBy = reportedAt + WeeklyReportInterval;
        }

        Version++;
        return WeeklyHealthReport.Recorded(this, reportedAt, state, notes, now);
    }

    /// <summary>
    /// A medic unmarks the person from <paramref name="until"/>: the spells in <paramref name="open"/> end and the weekly
    /// report clock stops (<see cref="StopWeeklyReports"/>). FAILED_PRECONDITION NOT_SERIOUSLY_ILL when not marked,
    /// UNTIL_BEFORE_MARK when <paramref name="until"/> is before the mark, UNTIL_BEFORE_REPORT when it is before the
    /// spell's latest weekly health report (a report is of a person still marked; GC III Art. 122).
    /// </summary>
    public void UnmarkSeriouslyIll(DateTimeOffset until, string? note, IReadOnlyList<SeriousIllness> open, DateTimeOffset now)
    {
        EnsureOpen();
        var since = SeriouslyIllSince ?? throw NotSeriouslyIll("unmark it");
        if (until < since)
        {
            throw new RuleViolationException("UNTIL_BEFORE_MARK", ResourceType, Subject,
                $"Case {CaseNumber} is marked seriously ill or wounded since {since:u}; it cannot end at {until:u}, before that.");
        }

        if (until < LastWeeklyReportAt)
        {
            throw new RuleViolationException("UNTIL_BEFORE_REPORT", ResourceType, Subject,
                $"Case {CaseNumber} has a weekly health report of {LastWeeklyReportAt:u}; the mark cannot end at {until:u}, before that.");
        }

        StopWeeklyReports(until, note, open, now);
    }

    /// <summary>
    /// Stops the weekly health report clock at <paramref name="until"/>, ending the spells in <paramref name="open"/>:
    /// the one place it stops, for UnmarkSeriouslyIll and for the death path (GC III Art. 120: after death no report
    /// is owed). Checks nothing else (the death path makes its own checks); returns false, changing nothing, when the
    /// person was not marked.
    /// </summary>
    public bool StopWeeklyReports(DateTimeOffset until, string? note, IReadOnlyList<SeriousIllness> open, DateTimeOffset now)
    {
        if (SeriouslyIllSince is null)
        {
            return false;
        }

        foreach (var illness in open)
        {
            illness.End(until, note, now);
        }

        SeriouslyIllSince = null;
        WeeklyReportDueBy = null;
        LastWeeklyReportAt = null;
        Status = DeriveStatus();
        Version++;
        return true;
    }

    /// <summary>
    /// Part of <see cref="Absorb"/>: the person is seriously ill if marked under either case, since the earlier mark,
    /// with the report due at the earlier of the two due times (a report overdue under either stays overdue) and the
    /// latest report of either. The merged record's clock stops.
    /// </summary>
    private void AbsorbSeriousIllness(MedicalRecord merged)
    {
        if (merged.SeriouslyIllSince is not { } theirs)
        {
            return;
        }

        SeriouslyIllSince = SeriouslyIllSince is { } own && own < theirs ? own : theirs;
        WeeklyReportDueBy = WeeklyReportDueBy is { } due && due < merged.WeeklyReportDueBy!.Value ? due : merged.WeeklyReportDueBy;
        LastWeeklyReportAt = (LastWeeklyReportAt, merged.LastWeeklyReportAt) switch
        {
            ({ } a, { } b) => a > b ? a : b,
            (var a, var b) => a ?? b,
        };
        merged.SeriouslyIllSince = null;
        merged.WeeklyReportDueBy = null;
        merged.LastWeeklyReportAt = null;
    }

    private RuleViolationException NotSeriouslyIll(string what) =>
        new("NOT_SERIOUSLY_ILL", ResourceType, Subject, $"Case {CaseNumber} is not marked seriously ill or wounded; mark it before you {what}.");
}
