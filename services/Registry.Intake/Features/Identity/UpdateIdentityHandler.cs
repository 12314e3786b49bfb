using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Features.Identity;

/// <summary>The case after an identity correction, and the cases it newly resembles, best first.</summary>
public sealed record IdentityUpdated(CaptureCase Case, IReadOnlyList<DuplicateCandidate> DuplicateCandidates);

/// <summary>
/// Records what one source says about some identity facts (every claim kept, the latest shown), tells
/// custody and medical (IdentityUpdated) and the ICRC (Art. 122), and looks for duplicates anew.
/// <para>Re-asserting values the case already shows (every named field unchanged, whichever source says it) changes
/// nothing: no assertion is recorded, the revision stays, no event leaves and the ICRC is not notified; the call answers
/// the case as it stands. Corroboration by another source is therefore not kept as a row of its own: the assertion
/// history records what changed the case and who said it, and a retried or repeated call cannot inflate it. When at
/// least one named field changes, every named field is recorded from the source, as one revision.</para>
/// </summary>
public sealed class UpdateIdentityHandler(
    IntakeDbContext db, CaseStore cases, DuplicateFinder duplicates, TimeProvider clock, ILogger<UpdateIdentityHandler> logger)
{
    /// <summary>
    /// Guarded by the revision the caller read: of calls racing on one revision one wins, the others run
    /// again (<see cref="CaseStore.ChangeAsync"/>) and answer as a later call would (ABORTED, or CASE_MERGED
    /// when a merge won). A new candidate pair raised at once by a correction of the other case loses on the
    /// pair's unique index and is not raised twice.
    /// </summary>
    public Task<IdentityUpdated> HandleAsync(IdentityUpdate update, CancellationToken ct) =>
        cases.ChangeAsync(update.CaseId, token => UpdateAsync(update, token), ct);

    private async Task<IdentityUpdated> UpdateAsync(IdentityUpdate update, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var found = await cases.FindToChangeAsync(update.CaseId, update.Revision, ct);

        var errors = new FieldViolations();
        foreach (var (field, problem) in found.CheckAssertion(update.Facts))
        {
            errors.Add($"identity.{field}", problem);
        }

        errors.ThrowIfAny();
        if (!found.WouldChange(update.Facts))
        {
            logger.LogInformation("Case {CaseNumber}: identity re-asserted unchanged ({Fields}); nothing recorded",
                found.CaseNumber, string.Join(", ", update.Facts.Keys));
            return new IdentityUpdated(found, []);
        }

        db.IdentityAssertions.AddRange(found.Assert(update.Facts, update.Source, now));
        db.OutboxMessages.Add(OutboxMessage.Create(CaseEvents.IdentityUpdated(found, update.Facts.Keys, update.Source), now));
        db.RaiseNotification(found, NotificationKind.IdentityCorrection,
            $"Identity of {found.CaseNumber} asserted anew ({string.Join(", ", update.Facts.Keys)}) from {update.Source.Kind}: {IcrcFeed.Describe(found)}.", now);
        List<DuplicateCandidate> newDuplicates = [];
        async Task FindNewDuplicatesAsync(CancellationToken token)
        {
            newDuplicates = await duplicates.FindNewAsync(found, now, token);
            db.DuplicateCandidates.AddRange(newDuplicates);
        }

        if (db.Database.IsPostgreSql())
        {
            // Inside the transaction, after the locks of the new keys (DuplicateLocks): a registration of the same person
            // committing meanwhile is seen, or sees this correction.
            await cases.CommitAsync(ct, FindNewDuplicatesAsync);
        }
        else
        {
            // SQLite: before the transaction, as before. Its one writer at a time needs no lock, and a read inside a deferred
            // transaction ahead of its first write could not take the write lock if another writer came between (SQLITE_BUSY).
            await FindNewDuplicatesAsync(ct);
            await cases.CommitAsync(ct);
        }
        logger.LogInformation("Case {CaseNumber}: identity asserted ({Fields}) from {Source}; {Duplicates} new possible duplicates",
            found.CaseNumber, string.Join(", ", update.Facts.Keys), update.Source.Kind, newDuplicates.Count);
        return new IdentityUpdated(found, newDuplicates);
    }
}
