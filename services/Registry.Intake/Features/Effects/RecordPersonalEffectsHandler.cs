using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Effects;

/// <summary>The register's entries of one receipt, and whether they were entered by an earlier call with the same request id.</summary>
public sealed record EffectsRecorded(IReadOnlyList<PersonalEffect> Effects, bool Replayed);

/// <summary>
/// Enters a receipt's items in a case's effects register (GC III Art. 18). Idempotent on the request id; a
/// receipt number is entered once per case (unique index); the case is held open as read until the entries
/// commit (<see cref="CaseStore.EnsureUnchangedAsync"/>).
/// </summary>
public sealed class RecordPersonalEffectsHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock)
{
    public async Task<EffectsRecorded> HandleAsync(EffectsReceipt receipt, CancellationToken ct)
    {
        var write = new IdempotentWrite<List<PersonalEffect>, EffectsRecorded>(db, receipt.Key)
        {
            FindPrior = async (id, token) =>
                await db.PersonalEffects.AsNoTracking().Where(e => e.RequestId == id).OrderBy(e => e.Id).ToListAsync(token) is { Count: > 0 } earlier
                    ? earlier : null,
            PriorHash = earlier => earlier[0].RequestHash,
            Replay = (earlier, _) => Task.FromResult(new EffectsRecorded(earlier, Replayed: true)),
            Conflict = earlier => $"request_id was already used for receipt {earlier[0].ReceiptNumber}; use a new request_id.",
        };
        // Run again from the read after a lost race: a copy of this request that won is replayed, a receipt number
        // another request took is ALREADY_EXISTS, and a merge that won is CASE_MERGED, as for a later call.
        return await cases.ChangeAsync(receipt.CaseId, attemptToken => write.ExecuteAsync(async token =>
        {
            var owner = await cases.FindAsync(receipt.CaseId, tracked: false, token);
            owner.EnsureOpen();
            // The shared date rules (DateRules): effects are taken at or after the capture (Art. 18), not before.
            var errors = new FieldViolations();
            errors.Check("taken_at", owner.Dates.CaptivityProblem(receipt.TakenAt));
            errors.ThrowIfAny();
            if (await db.PersonalEffects.AnyAsync(e => e.CaseId == receipt.CaseId && e.ReceiptNumber == receipt.ReceiptNumber, token))
            {
                throw ReceiptTaken(receipt, owner);
            }

            var entries = PersonalEffect.Receive(owner, receipt, write.RequestHash, clock.GetUtcNow().ToMicroseconds());
            await cases.CommitAsync(token, async t =>
            {
                // The case must still be open when the entries commit: a merge committed meanwhile makes this lose.
                await cases.EnsureUnchangedAsync(t, owner);
                db.PersonalEffects.AddRange(entries);
            });
            return new EffectsRecorded(entries, Replayed: false);
        }, attemptToken), ct);
    }

    private static Exception ReceiptTaken(EffectsReceipt receipt, CaptureCase owner) =>
        RpcErrors.AlreadyExists("RECEIPT_ALREADY_REGISTERED", $"Receipt {receipt.ReceiptNumber} is already in the register of case {owner.CaseNumber}.",
            new Dictionary<string, string> { ["receipt_number"] = receipt.ReceiptNumber });
}
