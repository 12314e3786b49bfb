using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.IcrcVisits;

/// <summary>What recording a visit answers: the visit as stored, and whether this was a replay.</summary>
public sealed record IcrcVisitResult(IcrcVisit Visit, bool Replayed);

/// <summary>
/// Records an ICRC visit (GC III Art. 126) and the persons interviewed in private, in one row and its list of cases.
/// Every listed case must have a custody record (else INVALID_ARGUMENT on <c>case_ids[i]</c>, all named at once, nothing
/// stored), not merged (CASE_MERGED: the visit belongs on the survivor) and the person in custody at the visit
/// (<see cref="CustodyRecord.EnsureInCustodyAt"/>). The visiting agency is the caller's own (the access table's
/// agencyField); the recording client is the token's. Idempotent on request_id. Not a custody state change: nothing
/// is appended to the timelines.
/// </summary>
public sealed class RecordIcrcVisitHandler(CustodyDbContext db, TimeProvider clock, ILogger<RecordIcrcVisitHandler> logger)
{
    public Task<IcrcVisitResult> HandleAsync(IcrcVisitCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<IcrcVisit, IcrcVisitResult>(db, command.Key)
        {
            FindPrior = (requestId, token) => db.IcrcVisits.AsNoTracking().SingleOrDefaultAsync(v => v.RequestId == requestId, token),
            PriorHash = v => v.RequestHash,
            Replay = (v, _) => Task.FromResult(new IcrcVisitResult(v, Replayed: true)),
            Conflict = _ => "request_id was already used for a different ICRC visit; use a new request_id.",
        };
        return write.ExecuteAsync(token => RecordAsync(command, caller, token), ct);
    }

    private async Task<IcrcVisitResult> RecordAsync(IcrcVisitCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var ids = command.CaseIds.ToList();
        var records = await db.Records.AsNoTracking().Where(r => ids.Contains(r.CaseId)).ToDictionaryAsync(r => r.CaseId, ct);
        var errors = new FieldViolations();
        for (var n = 0; n < ids.Count; n++)
        {
            if (!records.TryGetValue(ids[n], out var record))
            {
                errors.Add($"case_ids[{n}]", $"{ids[n]} has no custody record");
            }
            else if (record.Dates.CaptivityProblem(command.VisitedAt) is { } problem)
            {
                errors.Add($"case_ids[{n}]", $"case {record.CaseNumber}: visited_at {problem}");
            }
        }

        errors.ThrowIfAny();
        foreach (var id in ids)
        {
            records[id].EnsureInCustodyAt(command.VisitedAt, "a private interview with ICRC delegates");
        }

        var visit = IcrcVisit.Of(command.VisitingAgency, command.VisitedAt, command.Facility, command.Delegates, ids, caller.ClientId,
            command.Key.RequestId, command.Key.RequestHash, now);
        db.IcrcVisits.Add(visit);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("ICRC visit by {Agency} to {Facility} at {VisitedAt:u} recorded: {Count} private interviews",
            command.VisitingAgency, command.Facility.Describe(), command.VisitedAt, ids.Count);
        return new IcrcVisitResult(visit, Replayed: false);
    }
}
