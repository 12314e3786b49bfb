using MassTransit;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Features.Sharing;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Consumers;

/// <summary>A case shared with a partner agency: from now on custody answers the partner for it (once per event; the inbox filter commits).</summary>
public sealed class CaseSharedConsumer(ApplyShareHandler shares, ILogger<CaseSharedConsumer> logger) : IConsumer<CaseShared>
{
    public async Task Consume(ConsumeContext<CaseShared> context)
    {
        if (await shares.SharedAsync(context.Message, context.CancellationToken))
        {
            logger.LogInformation("Case {CaseNumber} shared with {Partner} until {ValidUntil}", context.Message.CaseNumber, context.Message.PartnerAgency, context.Message.ValidUntil);
        }
    }
}

public sealed class CaseSharedConsumerDefinition()
    : RegistryConsumerDefinition<CaseSharedConsumer, CustodyDbContext>("custody-case-shared");

/// <summary>A share revoked: custody refuses the partner for the case from the commit on.</summary>
public sealed class CaseShareRevokedConsumer(ApplyShareHandler shares, ILogger<CaseShareRevokedConsumer> logger) : IConsumer<CaseShareRevoked>
{
    public async Task Consume(ConsumeContext<CaseShareRevoked> context)
    {
        if (await shares.RevokedAsync(context.Message, context.CancellationToken))
        {
            logger.LogInformation("Share {ShareId} of case {CaseId} with {Partner} revoked", context.Message.ShareId, context.Message.CaseId, context.Message.PartnerAgency);
        }
    }
}

public sealed class CaseShareRevokedConsumerDefinition()
    : RegistryConsumerDefinition<CaseShareRevokedConsumer, CustodyDbContext>("custody-case-share-revoked");
