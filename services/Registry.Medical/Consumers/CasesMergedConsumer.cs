using MassTransit;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Features.Merges;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Consumers;

/// <summary>Two cases of one person merged by intake: the survivor's medical record takes the merged one's history (once per event; the inbox filter commits).</summary>
public sealed class CasesMergedConsumer(
    ApplyCaseMergeHandler merges, OutboxSignal<MedicalDbContext> outbox, InboxCommit commit, ILogger<CasesMergedConsumer> logger) : IConsumer<CasesMerged>
{
    public async Task Consume(ConsumeContext<CasesMerged> context)
    {
        if (await merges.HandleAsync(context.Message, context.CancellationToken) is { } survivor)
        {
            commit.OnCommitted(outbox.Notify); // the weekly report clock it may re-publish (WeeklyReportClockMerged)
            logger.LogInformation("Medical record of case {Merged} merged into {Survivor}, now {Status}",
                context.Message.MergedCaseNumber, survivor.CaseNumber, survivor.Status);
        }
    }
}

public sealed class CasesMergedConsumerDefinition()
    : RegistryConsumerDefinition<CasesMergedConsumer, MedicalDbContext>("medical-cases-merged");
