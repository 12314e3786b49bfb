using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Grpc;

/// <summary>The effects register (GC III Art. 18).</summary>
public sealed partial class IntakeGrpcService
{
    public override async Task<RecordPersonalEffectsResponse> RecordPersonalEffects(RecordPersonalEffectsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = Now;
        var receipt = PersonalEffectsValidator.Validate(request, now);
        var hash = SHA256.HashData(request.ToByteArray());

        if (await ReplayEffectsAsync(receipt.RequestId, hash, ct) is { } replayed)
        {
            return replayed;
        }

        var owner = await FindCaseAsync(receipt.CaseId, tracked: false, ct);
        EnsureNotMerged(owner);
        if (await _db.PersonalEffects.AnyAsync(e => e.CaseId == receipt.CaseId && e.ReceiptNumber == receipt.ReceiptNumber, ct))
        {
            throw RpcErrors.AlreadyExists($"Receipt {receipt.ReceiptNumber} is already in the register of case {owner.CaseNumber}.");
        }

        var entries = receipt.Items.Select((item, index) => new Domain.PersonalEffect
        {
            ItemIndex = index,
            EffectId = Guid.CreateVersion7(now),
            CaseId = receipt.CaseId,
            RequestId = receipt.RequestId,
            RequestHash = hash,
            ReceiptNumber = receipt.ReceiptNumber,
            Description = item.Description,
            Quantity = item.Quantity,
            CurrencyCode = item.CurrencyCode,
            AmountUnits = item.Units,
            AmountNanos = item.Nanos,
            TakenByName = receipt.TakerName,
            TakenByRank = receipt.TakerRank,
            TakenByUnit = receipt.TakerUnit,
            TakenAt = receipt.TakenAt,
            RecordedAt = now,
        }).ToList();
        _db.PersonalEffects.AddRange(entries);
        try
        {
            await _db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent retry of the same request committed first, or another request took the receipt number.
            _db.ChangeTracker.Clear();
            return await ReplayEffectsAsync(receipt.RequestId, hash, CancellationToken.None)
                ?? throw RpcErrors.AlreadyExists($"Receipt {receipt.ReceiptNumber} is already in the register of case {owner.CaseNumber}.");
        }

        var response = new RecordPersonalEffectsResponse();
        response.Effects.AddRange(entries.Select(e => e.ToProto()));
        return response;
    }

    public override async Task<ListPersonalEffectsResponse> ListPersonalEffects(ListPersonalEffectsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var pageSize = errors.PageSize("page_size", request.PageSize);
        var query = $"effects/{request.CaseId}";
        var after = errors.PageToken("page_token", request.PageToken, query) ?? 0;
        errors.ThrowIfAny();

        await FindCaseAsync(caseId!.Value, tracked: false, ct);
        var page = await _db.PersonalEffects.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Id > after).OrderBy(e => e.Id).Take(pageSize).ToListAsync(ct);
        var response = new ListPersonalEffectsResponse { NextPageToken = PageTokens.Next(page, pageSize, e => e.Id, query) };
        response.Effects.AddRange(page.Select(e => e.ToProto()));
        return response;
    }

    public override async Task<RecordPersonalEffectFateResponse> RecordPersonalEffectFate(RecordPersonalEffectFateRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var change = PersonalEffectsValidator.Validate(request);
        var effect = await _db.PersonalEffects.SingleOrDefaultAsync(e => e.EffectId == change.EffectId && e.CaseId == change.CaseId, ct)
            ?? throw RpcErrors.NotFound("registry.intake.v1.PersonalEffect", change.EffectId.ToString());
        if (effect.FateProblem(change.Fate) is { } problem)
        {
            throw RpcErrors.FailedPrecondition("EFFECT_FATE_FINAL", "registry.intake.v1.PersonalEffect", $"effects/{change.EffectId}", problem);
        }

        effect.RecordFate(change.Fate, change.Note, Now);
        await _db.SaveChangesAsync(ct);
        return new RecordPersonalEffectFateResponse { Effect = effect.ToProto() };
    }

    private async Task<RecordPersonalEffectsResponse?> ReplayEffectsAsync(Guid requestId, byte[] hash, CancellationToken ct)
    {
        var earlier = await _db.PersonalEffects.AsNoTracking().Where(e => e.RequestId == requestId).OrderBy(e => e.Id).ToListAsync(ct);
        if (earlier.Count == 0)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(earlier[0].RequestHash, hash))
        {
            throw RpcErrors.AlreadyExists($"request_id was already used for receipt {earlier[0].ReceiptNumber}; use a new request_id.");
        }

        var response = new RecordPersonalEffectsResponse { Replayed = true };
        response.Effects.AddRange(earlier.Select(e => e.ToProto()));
        return response;
    }

    private static void EnsureNotMerged(CaptureCase c)
    {
        if (c.IsMerged)
        {
            throw RpcErrors.FailedPrecondition("CASE_MERGED", CaseType, $"cases/{c.CaseId}",
                $"Case {c.CaseNumber} was merged into case {c.MergedIntoCaseId}; record this on that case instead.");
        }
    }
}
