using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>
/// Medical's facts about the seriously ill or wounded (GC III Art. 122): the weekly health report clock of the overdue
/// view and the state of health owed to the ICRC (<see cref="WeeklyReportEventHandler"/>), once per event (the inbox
/// filter commits).
/// </summary>
public sealed class WeeklyHealthReportConsumer(WeeklyReportEventHandler handler, NotificationSignal signal, InboxCommit commit, ILogger<WeeklyHealthReportConsumer> logger)
    : IConsumer<SeriouslyIllMarked>, IConsumer<WeeklyHealthReportRecorded>, IConsumer<SeriouslyIllUnmarked>, IConsumer<WeeklyReportClockMerged>
{
    public async Task Consume(ConsumeContext<SeriouslyIllMarked> context) =>
        Applied(context.Message.CaseId, "marked", await handler.HandleAsync(context.Message, context.CancellationToken));

    public async Task Consume(ConsumeContext<WeeklyHealthReportRecorded> context) =>
        Applied(context.Message.CaseId, "weekly report", await handler.HandleAsync(context.Message, context.CancellationToken));

    public async Task Consume(ConsumeContext<SeriouslyIllUnmarked> context) =>
        Applied(context.Message.CaseId, "unmarked", await handler.HandleAsync(context.Message, context.CancellationToken));

    public async Task Consume(ConsumeContext<WeeklyReportClockMerged> context) =>
        Applied(context.Message.MergedCaseId, "merged", await handler.HandleAsync(context.Message, context.CancellationToken));

    private void Applied(Guid caseId, string what, Domain.CaptureCase? owner)
    {
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("Seriously ill or wounded, case {CaseId}: {What} ({Known})", caseId, what, owner is not null);
    }
}

public sealed class WeeklyHealthReportConsumerDefinition()
    : RegistryConsumerDefinition<WeeklyHealthReportConsumer, IntakeDbContext>("intake-weekly-health-reports");
