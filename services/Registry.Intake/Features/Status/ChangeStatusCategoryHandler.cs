using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Features.Status;

/// <summary>
/// Records a status decision (GC III Art. 5), tells the other services and the ICRC. A decision dated before the
/// person's capture is refused (INVALID_ARGUMENT naming decided_at, the shared date rules of <c>DateRules</c>).
/// </summary>
public sealed class ChangeStatusCategoryHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock, ILogger<ChangeStatusCategoryHandler> logger)
{
    /// <summary>
    /// Guarded by the revision the caller read: of calls racing on one revision one wins, the others run
    /// again (<see cref="CaseStore.ChangeAsync"/>) and answer as a later call would (ABORTED, or CASE_MERGED).
    /// </summary>
    public Task<CaptureCase> HandleAsync(StatusDecision decision, CancellationToken ct) =>
        cases.ChangeAsync(decision.CaseId, token => DecideAsync(decision, token), ct);

    private async Task<CaptureCase> DecideAsync(StatusDecision decision, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var found = await cases.FindToChangeAsync(decision.CaseId, decision.Revision, ct);
        var errors = new FieldViolations();
        errors.Check("decided_at", found.Dates.CaptivityProblem(decision.DecidedAt));
        errors.ThrowIfAny();

        var change = found.ChangeStatus(decision.To, decision.DecisionReference, decision.DecidedBy, decision.DecidedAt, now);
        db.StatusChanges.Add(change);
        db.OutboxMessages.Add(OutboxMessage.Create(CaseEvents.StatusChanged(found, change), now));
        db.RaiseNotification(found, NotificationKind.StatusChange,
            $"Status of {found.CaseNumber}: {change.From} -> {change.To} by {change.DecidedBy} ({change.DecisionReference}).", now);
        await cases.CommitAsync(ct);
        logger.LogInformation("Case {CaseNumber}: status {From} -> {To} ({Reference})", found.CaseNumber, change.From, change.To, change.DecisionReference);
        return found;
    }
}
