using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Condition = Registry.Medical.Domain.Condition;
using Encounter = Registry.Medical.Domain.Encounter;

namespace Registry.Medical.Grpc;

/// <summary>
/// The medical service's gRPC surface. The summary is for every authorised role; the record and the
/// encounters carry clinical detail (GC III Art. 30, 31) and are the medical service's own.
/// </summary>
public sealed class MedicalGrpcService(MedicalDbContext db, TimeProvider clock, ILogger<MedicalGrpcService> logger)
    : MedicalService.MedicalServiceBase
{
    public override async Task<GetMedicalSummaryResponse> GetMedicalSummary(GetMedicalSummaryRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        var record = await FindAsync(caseId!.Value, tracked: false, context.CancellationToken);
        return new GetMedicalSummaryResponse { Summary = record.ToSummary() };
    }

    public override async Task<RecordEncounterResponse> RecordEncounter(RecordEncounterRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow().ToMicroseconds();
        var entry = EncounterValidator.Validate(request, now);
        var hash = SHA256.HashData(request.ToByteArray());

        if (await ReplayAsync(entry.RequestId, entry.CaseId, hash, ct) is { } replayed)
        {
            return replayed;
        }

        // Another encounter of the same case saved in between (the record's version moved): nothing of
        // this one was stored, so it is applied again to the record as it now stands.
        for (var attempt = 1; ; attempt++)
        {
            var record = await FindAsync(entry.CaseId, tracked: true, ct);
            var active = await db.Conditions.Where(c => c.CaseId == entry.CaseId && c.ResolvedInEncounterId == null).OrderBy(c => c.Id).ToListAsync(ct);
            var (encounter, found, resolved) = record.RecordEncounter(entry.Details, entry.Findings, entry.Resolve, active, now);
            encounter.RequestId = entry.RequestId;
            encounter.RequestHash = hash;
            db.Encounters.Add(encounter);
            db.Conditions.AddRange(found);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 20)
            {
                // Spread the retries of writers that collided, so that they do not collide again.
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), ct);
                continue;
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new RpcException(new Status(StatusCode.Aborted, $"Case {entry.CaseId} is being changed by other encounters; retry."));
            }
            catch (DbUpdateException)
            {
                // The same request retried concurrently and saved first: answer with its result.
                db.ChangeTracker.Clear();
                if (await ReplayAsync(entry.RequestId, entry.CaseId, hash, CancellationToken.None) is { } winner)
                {
                    return winner;
                }

                throw;
            }

            return Recorded(record, encounter, found, resolved);
        }
    }

    private RecordEncounterResponse Recorded(MedicalRecord record, Encounter encounter, IReadOnlyList<Condition> found, IReadOnlyList<Condition> resolved)
    {
        logger.LogInformation("Case {CaseNumber}: {Kind} recorded, {Found} conditions found, {Resolved} resolved",
            record.CaseNumber, encounter.Kind, found.Count, resolved.Count);
        var changed = found.Concat(resolved).ToList();
        var response = new RecordEncounterResponse { Encounter = encounter.ToProto(changed), Summary = record.ToSummary() };
        response.Conditions.AddRange(changed.Select(c => c.ToProto()));
        return response;
    }

    public override async Task<GetMedicalRecordResponse> GetMedicalRecord(GetMedicalRecordRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        var record = await FindAsync(caseId!.Value, tracked: false, ct);
        var conditions = await db.Conditions.AsNoTracking().Where(c => c.CaseId == caseId).OrderBy(c => c.Id).ToListAsync(ct);
        var response = new GetMedicalRecordResponse { Summary = record.ToSummary() };
        response.Conditions.AddRange(conditions.OrderByDescending(c => c.IsActive).Select(c => c.ToProto()));
        return response;
    }

    public override async Task<ListEncountersResponse> ListEncounters(ListEncountersRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var pageSize = errors.PageSize("page_size", request.PageSize);
        var query = $"encounters/{request.CaseId}";
        var position = errors.PagePosition("page_token", request.PageToken, query);
        var after = ParsePosition(position);
        if (after is null)
        {
            errors.Add("page_token", "is not a page token of this query; start again without one");
        }

        errors.ThrowIfAny();

        await FindAsync(caseId!.Value, tracked: false, ct);
        var encounters = db.Encounters.AsNoTracking().Where(e => e.CaseId == caseId);
        if (after is ({ } at, var id) && id > 0)
        {
            encounters = encounters.Where(e => e.OccurredAt > at || (e.OccurredAt == at && e.Id > id));
        }

        var page = await encounters.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).Take(pageSize).ToListAsync(ct);
        var ids = page.Select(e => e.EncounterId).ToList();
        var conditions = await db.Conditions.AsNoTracking()
            .Where(c => c.CaseId == caseId && (ids.Contains(c.FoundInEncounterId) || (c.ResolvedInEncounterId != null && ids.Contains(c.ResolvedInEncounterId.Value))))
            .ToListAsync(ct);
        var response = new ListEncountersResponse();
        response.Encounters.AddRange(page.Select(e => e.ToProto(conditions)));
        if (page.Count == pageSize)
        {
            var last = page[^1];
            response.NextPageToken = PageTokens.Create($"{last.OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{last.Id.ToString(CultureInfo.InvariantCulture)}", query);
        }

        return response;
    }

    /// <summary>"ticks:id" of the last encounter of the previous page; (min, 0) for the first page; null when unreadable.</summary>
    private static (DateTimeOffset At, long Id)? ParsePosition(string position)
    {
        if (position.Length == 0)
        {
            return (DateTimeOffset.MinValue, 0);
        }

        var parts = position.Split(':');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }

    private async Task<MedicalRecord> FindAsync(Guid caseId, bool tracked, CancellationToken ct)
    {
        var records = tracked ? db.Records : db.Records.AsNoTracking();
        return await records.SingleOrDefaultAsync(r => r.CaseId == caseId, ct)
            ?? throw RpcErrors.NotFound(MedicalRecord.ResourceType, caseId.ToString());
    }

    /// <summary>The first result of a request id seen before; the same id with another request is refused.</summary>
    private async Task<RecordEncounterResponse?> ReplayAsync(Guid requestId, Guid caseId, byte[] hash, CancellationToken ct)
    {
        var earlier = await db.Encounters.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, ct);
        if (earlier is null)
        {
            return null;
        }

        if (earlier.CaseId != caseId || !CryptographicOperations.FixedTimeEquals(earlier.RequestHash, hash))
        {
            throw RpcErrors.AlreadyExists("request_id was already used for a different encounter; use a new request_id.");
        }

        var record = await FindAsync(caseId, tracked: false, ct);
        var changed = await db.Conditions.AsNoTracking()
            .Where(c => c.FoundInEncounterId == earlier.EncounterId || c.ResolvedInEncounterId == earlier.EncounterId)
            .OrderBy(c => c.Id).ToListAsync(ct);
        var response = new RecordEncounterResponse { Encounter = earlier.ToProto(changed), Summary = record.ToSummary(), Replayed = true };
        response.Conditions.AddRange(changed.Select(c => c.ToProto()));
        return response;
    }
}
