using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.SeriouslyIll;

/// <summary>
/// The weekly health report clock (GC III Art. 122) as medical publishes it: every change of a record's clock is one
/// event through the outbox, in the transaction of the change, carrying the next due time and the record's version
/// (intake keeps the clock for the overdue view and applies only the highest version, so a late delivery changes
/// nothing). No event carries clinical detail.
/// </summary>
public static class WeeklyReportClock
{
    public static SeriouslyIllMarked Marked(MedicalRecord r) => new()
    {
        CaseId = r.CaseId, Since = r.SeriouslyIllSince!.Value, NextReportDueAt = r.WeeklyReportDueBy!.Value, RecordVersion = r.Version,
    };

    public static WeeklyHealthReportRecorded Reported(MedicalRecord r, WeeklyHealthReport report) => new()
    {
        CaseId = r.CaseId, ReportId = report.ReportId, ReportedAt = report.ReportedAt, State = report.State.ToString(),
        NextReportDueAt = r.WeeklyReportDueBy!.Value, RecordVersion = r.Version,
    };

    public static SeriouslyIllUnmarked Unmarked(MedicalRecord r, DateTimeOffset until, bool died) => new()
    {
        CaseId = r.CaseId, Until = until, Died = died, RecordVersion = r.Version,
    };

    /// <summary>After <see cref="MedicalRecord.Absorb"/> of a record that was marked: the survivor's clock, and the merged one's stop.</summary>
    public static WeeklyReportClockMerged Merged(MedicalRecord survivor, MedicalRecord merged) => new()
    {
        SurvivorCaseId = survivor.CaseId, SurvivorRecordVersion = survivor.Version, SeriouslyIllSince = survivor.SeriouslyIllSince!.Value,
        NextReportDueAt = survivor.WeeklyReportDueBy!.Value, MergedCaseId = merged.CaseId, MergedRecordVersion = merged.Version,
    };

    /// <summary>
    /// For the death path (GC III Art. 120): stops the weekly report clock of <paramref name="record"/> (tracked) at
    /// <paramref name="diedAt"/> if it runs, ending its open spells, and adds <see cref="SeriouslyIllUnmarked"/> (Died) to the
    /// outbox. Call it in the transaction that records the death, before the record is marked deceased (it makes no
    /// check of its own); save and notify the outbox as the death path does. Returns whether a clock was running.
    /// </summary>
    public static async Task<bool> StopForDeathAsync(
        MedicalDbContext db, MedicalRecord record, DateTimeOffset diedAt, CallerIdentity caller, DateTimeOffset now, CancellationToken ct) =>
        (await EndAsync(db, record, diedAt, "death recorded", caller, key: null, now, ct)).Count > 0;

    /// <summary>
    /// Ends the record's open spells and stops its clock, publishing <see cref="SeriouslyIllUnmarked"/>. With
    /// <paramref name="key"/> (a medic's UnmarkSeriouslyIll) the rules of <see cref="MedicalRecord.UnmarkSeriouslyIll"/>
    /// apply and the first spell keeps the request's key; without it (death) nothing is checked and a record not marked
    /// is left alone. Returns the spells ended, earliest first.
    /// </summary>
    internal static async Task<IReadOnlyList<SeriousIllness>> EndAsync(MedicalDbContext db, MedicalRecord record, DateTimeOffset until,
        string? note, CallerIdentity caller, IdempotencyKey? key, DateTimeOffset now, CancellationToken ct)
    {
        var open = await db.SeriousIllnesses.Where(i => i.CaseId == record.CaseId && i.Until == null).OrderBy(i => i.Id).ToListAsync(ct);
        if (key is not null)
        {
            record.UnmarkSeriouslyIll(until, note, open, now);
        }
        else if (!record.StopWeeklyReports(until, note, open, now))
        {
            return [];
        }

        for (var i = 0; i < open.Count; i++)
        {
            open[i].EndedBy(caller.Agency, caller.ClientId, i == 0 ? key?.RequestId : null, i == 0 ? key?.RequestHash : null);
        }

        db.OutboxMessages.Add(OutboxMessage.Create(Unmarked(record, until, died: key is null), now));
        return open;
    }
}
