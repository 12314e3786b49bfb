using MassTransit;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Features.Merges;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Consumers;

/// <summary>Two cases of one person merged by intake: the survivor's custody record takes the merged one's (once per event; the inbox filter commits).</summary>
public sealed class CasesMergedConsumer(ApplyCaseMergeHandler merges, ILogger<CasesMergedConsumer> logger) : IConsumer<CasesMerged>
{
    public async Task Consume(ConsumeContext<CasesMerged> context)
    {
        if (await merges.HandleAsync(context.Message, context.CancellationToken) is { } survivor)
        {
            logger.LogInformation("Custody record of case {Merged} merged into {Survivor}, now {State}",
                context.Message.MergedCaseNumber, survivor.CaseNumber, survivor.State);
        }
    }
}

public sealed class CasesMergedConsumerDefinition()
    : RegistryConsumerDefinition<CasesMergedConsumer, CustodyDbContext>("custody-cases-merged");
