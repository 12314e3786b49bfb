using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>An end of captivity is notified to the ICRC once (GC III Art. 122); capture cards still owed are withdrawn.</summary>
public sealed class CaptivityEndedConsumer(CaptureCardEventHandler handler, NotificationSignal signal, InboxCommit commit, ILogger<CaptivityEndedConsumer> logger)
    : IConsumer<CaptivityEnded>
{
    public async Task Consume(ConsumeContext<CaptivityEnded> context)
    {
        var m = context.Message;
        var owner = await handler.HandleAsync(m, context.CancellationToken);
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("End of captivity of case {CaseId} ({Way}) notified ({Known})", m.CaseId, m.Way, owner is not null);
    }
}

public sealed class CaptivityEndedConsumerDefinition()
    : RegistryConsumerDefinition<CaptivityEndedConsumer, IntakeDbContext>("intake-captivity-ended");

/// <summary>An escape is notified to the ICRC once (GC III Art. 122).</summary>
public sealed class PrisonerEscapedConsumer(CaptureCardEventHandler handler, NotificationSignal signal, InboxCommit commit, ILogger<PrisonerEscapedConsumer> logger)
    : IConsumer<PrisonerEscaped>
{
    public async Task Consume(ConsumeContext<PrisonerEscaped> context)
    {
        var m = context.Message;
        var owner = await handler.HandleAsync(m, context.CancellationToken);
        commit.OnCommitted(signal.Notify);
        logger.LogInformation("Escape of case {CaseId} notified ({Known})", m.CaseId, owner is not null);
    }
}

public sealed class PrisonerEscapedConsumerDefinition()
    : RegistryConsumerDefinition<PrisonerEscapedConsumer, IntakeDbContext>("intake-prisoner-escaped");

/// <summary>A recapture owes a new capture card and is notified to the ICRC once (GC III Art. 70, 122).</summary>
public sealed class PrisonerRecapturedConsumer(CaptureCardEventHandler handler, NotificationSignal signal, InboxCommit commit, ILogger<PrisonerRecapturedConsumer> logger)
    : IConsumer<PrisonerRecaptured>
{
    public async Task Consume(ConsumeContext<PrisonerRecaptured> context)
    {
        var m = context.Message;
        var owner = await handler.HandleAsync(m, context.CancellationToken);
        commit.OnCommitted(signal.Notify);
        logger.LogInformation("Recapture of case {CaseId} at {Facility}: capture card due again ({Known})", m.CaseId, m.Facility, owner is not null);
    }
}

public sealed class PrisonerRecapturedConsumerDefinition()
    : RegistryConsumerDefinition<PrisonerRecapturedConsumer, IntakeDbContext>("intake-prisoner-recaptured");
