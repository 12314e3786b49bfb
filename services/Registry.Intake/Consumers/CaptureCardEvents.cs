using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Messaging;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Consumers;

/// <summary>
/// What a transfer or a hospitalisation means for the register: a new capture card due a week later
/// (GC III Art. 70) and a notification to the ICRC (Art. 122); the consumers' inbox filter applies it once per message.
/// </summary>
internal static class CaptureCardEvents
{
    public static async Task<CaptureCase?> ApplyAsync(
        IntakeDbContext db, Guid caseId, CaptureCardReason reason, NotificationKind kind,
        DateTimeOffset occurredAt, Func<CaptureCase, string> summary, DateTimeOffset now, CancellationToken ct)
    {
        var owner = await FindOwnerAsync(db, caseId, ct);
        if (owner is null)
        {
            return null; // not a case of this register (e.g. another deployment's); nothing is owed here
        }

        db.CaptureCards.Add(CaptureCard.Owed(owner, reason, occurredAt.ToMicroseconds(), now));
        db.RaiseNotification(owner, kind, summary(owner), now);
        // Inside the inbox filter's transaction, which commits after the consumer returns.
        await db.SequenceNotificationsAsync(ct);
        return owner;
    }

    /// <summary>
    /// The case that answers for an event about <paramref name="caseId"/>: the case itself, or the case
    /// it was merged into (a merged case's obligations belong to the survivor); null when unknown here.
    /// </summary>
    public static async Task<CaptureCase?> FindOwnerAsync(IntakeDbContext db, Guid caseId, CancellationToken ct)
    {
        var owner = await db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.CaseId == caseId, ct);
        while (owner?.MergedIntoCaseId is { } survivor)
        {
            owner = await db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.CaseId == survivor, ct);
        }

        return owner;
    }
}
