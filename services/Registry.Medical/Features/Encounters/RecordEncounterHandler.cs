using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.Encounters;

/// <summary>What an encounter answers: the encounter, the conditions it found or resolved, the record as it now stands.</summary>
public sealed record EncounterResult(MedicalRecord Record, Encounter Encounter, IReadOnlyList<Condition> Changed, bool Replayed);

/// <summary>
/// Enters an examination, treatment or inspection with its findings (GC III Art. 30, 31), keeping the
/// record's summary and inspection clock in step. Idempotent on request_id. Encounters of one case entered
/// at once are serialised by the record's version: the one that loses is applied again to the record as it
/// now stands (nothing of it was stored), up to <see cref="MaxAttempts"/> times, then ABORTED.
/// The encounter carries the agency and client of <c>caller</c>, the verified token of the call
/// (<see cref="AccessContext.Caller"/>), never anything the request says; a replay answers what was stored.
/// </summary>
public sealed class RecordEncounterHandler(MedicalDbContext db, TimeProvider clock, ILogger<RecordEncounterHandler> logger)
{
    public const int MaxAttempts = 20;

    public Task<EncounterResult> HandleAsync(EncounterEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<Encounter, EncounterResult>(db, entry.Key)
        {
            FindPrior = (requestId, token) => db.Encounters.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, token),
            PriorHash = e => e.RequestHash,
            Replay = ReplayAsync,
            Conflict = _ => "request_id was already used for a different encounter; use a new request_id.",
        };
        return write.ExecuteAsync(token => RecordAsync(entry, caller, token), ct);
    }

    private async Task<EncounterResult> RecordAsync(EncounterEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        return await LostRace.RetryOnVersionAsync(db, MedicalRecord.ResourceType, $"cases/{entry.CaseId}", async ct =>
        {
            var record = await db.FindRecordAsync(entry.CaseId, tracked: true, ct);
            // The shared date rules (DateRules): not before the capture, not before the person's birth.
            var errors = new FieldViolations();
            errors.Check("occurred_at", record.Dates.CaptivityProblem(entry.Details.OccurredAt));
            errors.ThrowIfAny();
            var active = await db.Conditions.Where(c => c.CaseId == entry.CaseId && c.ResolvedInEncounterId == null).OrderBy(c => c.Id).ToListAsync(ct);
            var (encounter, found, resolved) = record.RecordEncounter(entry.Details, entry.Findings, entry.Resolve, active, now);
            encounter.RecordedBy(caller.Agency, caller.ClientId);
            encounter.AnswersRequest(entry.Key.RequestId, entry.Key.RequestHash);
            db.Encounters.Add(encounter);
            db.Conditions.AddRange(found);
            await db.SaveChangesAsync(ct);

            logger.LogInformation("Case {CaseNumber}: {Kind} recorded, {Found} conditions found, {Resolved} resolved",
                record.CaseNumber, encounter.Kind, found.Count, resolved.Count);
            return new EncounterResult(record, encounter, found.Concat(resolved).ToList(), Replayed: false);
        }, ct, MaxAttempts);
    }

    private async Task<EncounterResult> ReplayAsync(Encounter earlier, CancellationToken ct)
    {
        var record = await db.FindRecordAsync(earlier.CaseId, tracked: false, ct);
        var changed = await db.Conditions.AsNoTracking()
            .Where(c => c.FoundInEncounterId == earlier.EncounterId || c.ResolvedInEncounterId == earlier.EncounterId)
            .OrderBy(c => c.Id).ToListAsync(ct);
        return new EncounterResult(record, earlier, changed, Replayed: true);
    }
}
