using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Features.Registration;

/// <summary>A registered (or replayed) case and the earlier cases it may duplicate, best first.</summary>
public sealed record Registered(CaptureCase Case, IReadOnlyList<DuplicateCandidate> DuplicateCandidates, bool Replayed);

/// <summary>
/// Opens a case for a captured person (GC III Art. 17, 122): the case, its identity assertions and first
/// status, possible duplicates, the CaseRegistered event, the admission capture card's clock (Art. 70)
/// and the ICRC's notification, in one transaction. Idempotent on the request id. On PostgreSQL the rows are
/// written in one batch without the change tracker (<see cref="InsertBatch"/>), on SQLite through it.
/// </summary>
public sealed class RegisterCaptureHandler(
    IntakeDbContext db, CaseStore cases, DuplicateFinder duplicates, TimeProvider clock, ILogger<RegisterCaptureHandler> logger)
{
    public Task<Registered> HandleAsync(CaptureRegistration registration, CancellationToken ct)
    {
        var write = new IdempotentWrite<CaptureCase, Registered>(db, registration.Key)
        {
            // The case, which holds the request id under a unique index, is the transaction's first insert: a retry fails
            // there and is replayed from what it finds, and a first registration (nearly all of them) is not preceded by a look-up.
            LookUpOnlyAfterFailure = true,
            FindPrior = (id, token) => db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.RequestId == id, token),
            PriorHash = c => c.RequestHash,
            Replay = async (c, token) => new Registered(c,
                [.. (await FirstAnswerCandidates.ReadAsync(db, [c.CaseId], token))[c.CaseId]], Replayed: true),
            // The earlier case is named only to its own agency: another agency's reused id learns nothing about it.
            Conflict = c => c.CapturingAgency == registration.Capture.CapturingAgency
                ? $"request_id was already used for a different registration (case {c.CaseNumber}); use a new request_id."
                : "request_id was already used for a different registration; use a new request_id.",
        };
        // A deadlock PostgreSQL breaks (40P01) is a lost race too, run again from the start: an import part holds its rows
        // (request_ids under the unique index) while it waits for the duplicate locks, so a registration of one of its rows
        // with the same request_id, holding those locks and waiting at its insert, closes a cycle. Run again, its insert waits
        // for the import's commit and the call is replayed with the import's case (or refused, for a different row).
        return LostRace.RetryAsync(db, "case", registration.Key.RequestId.ToString(),
            token => write.ExecuteAsync(t => RegisterAsync(registration, write.RequestHash, t), token), ct);
    }

    private async Task<Registered> RegisterAsync(CaptureRegistration registration, byte[] hash, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var entity = CaptureCase.Register(registration.Key.RequestId, hash, registration.Capture, now);
        var assertions = entity.Assert(registration.Identity, registration.IdentitySource, now);
        var status = entity.InitialStatus(registration.StatusCategory, now);
        List<DuplicateCandidate> found = [];
        if (db.Database.IsPostgreSql())
        {
            // The number and the notification's id are taken first, then the rows go in one batch, untracked: EF Core's
            // change tracker cost a registration more CPU than its statements (docs/performance.md). The case is the
            // batch's first row, so a concurrent call with the same request_id still loses on the unique index first.
            await cases.CommitNewAsync(async (allotted, token) =>
            {
                entity.Allot(allotted.CaseNumber);
                // Later case first, as every pair: a case found may be numbered after this one (committed while it waited on
                // the duplicate locks, which come after its number).
                found = [.. (await duplicates.FindAsync(entity, now, token)).Select(d => d.LaterFirst())];
                var (events, card, notification) = Consequences(entity, now);
                notification.Allot(allotted.NotificationId);
                await new InsertBatch(db).Add(entity).AddRange(assertions).Add(status).AddRange(found).Add(events).Add(card).Add(notification)
                    .ExecuteAsync(token);
            }, ct);
        }
        else
        {
            await cases.CommitAsync(ct, async token =>
            {
                // A concurrent call with the same request_id loses here, on the unique index.
                db.Cases.Add(entity);
                await db.SaveChangesAsync(token);

                db.IdentityAssertions.AddRange(assertions);
                db.StatusChanges.Add(status);
                found = await duplicates.FindAsync(entity, now, token);
                db.DuplicateCandidates.AddRange(found);
                var (events, card, notification) = Consequences(entity, now);
                db.OutboxMessages.Add(events);
                db.CaptureCards.Add(card);
                db.Notifications.Add(notification);
            });
        }

        logger.LogDebug("Registered case {CaseNumber} ({CaseId}) from {Agency}; {Duplicates} possible duplicates",
            entity.CaseNumber, entity.CaseId, entity.CapturingAgency, found.Count);
        return new Registered(entity, found, Replayed: false);
    }

    /// <summary>
    /// What a new case owes once it has its number: the CaseRegistered event (which names the number), the admission capture
    /// card's clock (Art. 70: until custody reports the arrival at a place of internment, CustodyAdmitted, it runs from
    /// registration) and the ICRC's notification (Art. 122), written without a place: the feed's sequencer places it after the commit.
    /// </summary>
    private static (OutboxMessage Event, CaptureCard Card, IcrcNotification Notification) Consequences(CaptureCase entity, DateTimeOffset now) =>
        (OutboxMessage.Create(CaseEvents.Registered(entity), now),
            CaptureCard.Owed(entity, CaptureCardReason.Admission, now, now),
            IcrcFeed.Notification(entity, NotificationKind.Registration, IcrcFeed.RegisteredSummary(entity), now));
}
