using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Hospitalisation;
using Registry.Medical.Features.SeriouslyIll;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Features.Merges;

/// <summary>
/// Follows intake's merge of two cases of one person (<see cref="CasesMerged"/>): the merged record's encounters,
/// conditions and fitness assessments move to the survivor's record and its summary and inspection clock are counted again
/// (<see cref="MedicalRecord.Absorb"/>). Called by the consumer inside its inbox transaction; adds to the context and
/// leaves the save to the caller. Both records' versions guard it against an encounter entered meanwhile (that one
/// either lands first and moves too, or is refused CASE_MERGED when retried).
/// </summary>
/// <remarks>
/// A record not opened yet (its CaseRegistered still on the way) makes the delivery fail and be retried, then wait
/// in the error queue; a survivor itself merged since is followed; a merge applied before changes nothing.
/// </remarks>
public sealed class ApplyCaseMergeHandler(MedicalDbContext db, TimeProvider clock)
{
    /// <returns>The survivor's record as it now stands, or null when the merge was applied before.</returns>
    public async Task<MedicalRecord?> HandleAsync(CasesMerged m, CancellationToken ct)
    {
        var merged = await db.Records.SingleOrDefaultAsync(r => r.CaseId == m.MergedCaseId, ct) ?? throw NotOpenYet(m.MergedCaseNumber);
        if (merged.MergedIntoCaseId is not null)
        {
            return null;
        }

        var survivor = await db.Records.SingleOrDefaultAsync(r => r.CaseId == m.SurvivorCaseId, ct) ?? throw NotOpenYet(m.SurvivorCaseNumber);
        for (var hops = 0; survivor.MergedIntoCaseId is { } next && hops < 100; hops++)
        {
            survivor = await db.Records.SingleOrDefaultAsync(r => r.CaseId == next, ct) ?? throw NotOpenYet(next.ToString());
        }

        var encounters = await db.Encounters.Where(e => e.CaseId == merged.CaseId).ToListAsync(ct);
        var conditions = await db.Conditions.Where(c => c.CaseId == merged.CaseId).ToListAsync(ct);
        var illnesses = await db.SeriousIllnesses.Where(i => i.CaseId == merged.CaseId).ToListAsync(ct);
        var reports = await db.WeeklyHealthReports.Where(r => r.CaseId == merged.CaseId).ToListAsync(ct);
        var mergedWasSeriouslyIll = merged.SeriouslyIllSince is not null;
        survivor.Absorb(merged, encounters, conditions);
        foreach (var certificate in await db.TreatmentCertificates.Where(c => c.CaseId == merged.CaseId).ToListAsync(ct))
        {
            certificate.MoveTo(survivor);
        }

        // The person's hospital stays, enquiries and death move too (one death per record: the survivor's stands).
        var mergedStays = await db.HospitalStays.Where(s => s.CaseId == merged.CaseId).ToListAsync(ct);
        foreach (var stay in mergedStays)
        {
            stay.MoveTo(survivor);
        }

        foreach (var enquiry in await db.Enquiries.Where(e => e.CaseId == merged.CaseId).ToListAsync(ct))
        {
            enquiry.MoveTo(survivor);
        }

        var standingDeath = await db.Deaths.SingleOrDefaultAsync(d => d.CaseId == survivor.CaseId, ct);
        if (await db.Deaths.SingleOrDefaultAsync(d => d.CaseId == merged.CaseId, ct) is { } death && standingDeath is null)
        {
            death.MoveTo(survivor);
            standingDeath = death;
        }

        // One person is in one hospital, and in none after death: of the open stays of both, none stays open after a death
        // (each ends at it, outcome DIED, as RecordDeath ends one), else the latest admission only (the earlier ends at it,
        // TRANSFERRED). No PatientDischarged: consumers follow CasesMerged themselves, as for the rest of the merge.
        var openStays = (await db.HospitalStays.Where(s => s.CaseId == survivor.CaseId && s.DischargedAt == null).ToListAsync(ct))
            .Concat(mergedStays.Where(s => s.IsOpen)).ToList();
        var (_, ended) = survivor.SettleOpenStays(openStays, OpenStays.MergeNote(merged.CaseNumber, died: survivor.DiedAt is not null));
        if (survivor.DiedAt is not null && standingDeath is not null && ended.Count > 0)
        {
            standingDeath.EndedByMerge(ended.MaxBy(s => s.AdmittedAt)!);
        }

        // The person's fitness assessments follow too: the latest of either record, per purpose, is the one in force.
        foreach (var assessment in await db.FitnessAssessments.Where(f => f.CaseId == merged.CaseId).ToListAsync(ct))
        {
            assessment.MoveTo(survivor);
        }

        // GC III Art. 122: one weekly report clock, the survivor's; medical re-publishes it (intake's copy follows versions).
        illnesses.ForEach(i => i.MoveTo(survivor));
        reports.ForEach(r => r.MoveTo(survivor));
        var now = clock.GetUtcNow().ToMicroseconds();
        if (survivor.DiedAt is { } diedAt && survivor.SeriouslyIllSince is not null)
        {
            // The person died under one of the two cases: no weekly report is owed under either (Art. 120 replaces them).
            var survivorOpen = await db.SeriousIllnesses.Where(i => i.CaseId == survivor.CaseId && i.Until == null).ToListAsync(ct);
            var open = survivorOpen.Concat(illnesses.Where(i => i.Until == null)).Distinct().ToList();
            survivor.StopWeeklyReports(diedAt, "death recorded", open, now);
            db.OutboxMessages.Add(OutboxMessage.Create(WeeklyReportClock.Unmarked(survivor, diedAt, died: true), now));
            if (mergedWasSeriouslyIll)
            {
                db.OutboxMessages.Add(OutboxMessage.Create(WeeklyReportClock.Unmarked(merged, diedAt, died: true), now));
            }
        }
        else if (mergedWasSeriouslyIll)
        {
            db.OutboxMessages.Add(OutboxMessage.Create(WeeklyReportClock.Merged(survivor, merged), now));
        }

        return survivor;
    }

    private static InvalidOperationException NotOpenYet(string caseNumber) =>
        new($"The medical record of case {caseNumber} is not open yet (its CaseRegistered has not been applied); the merge is tried again.");
}
