using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

[Collection(RegistryCollection.Name)]
public sealed class BrokerOutageTests(RegistryFixture registry)
{
    [Fact]
    public async Task Registrations_accepted_while_the_broker_is_unreachable_are_delivered_once_when_it_returns()
    {
        var intake = new IntakeService.IntakeServiceClient(registry.GatewayChannel);
        registry.Broker.Cut();
        List<Guid> caseIds;
        try
        {
            var accepted = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
                intake.RegisterCaptureAsync(i % 2 == 0 ? SeedStory.Rifleman() : SeedStory.Sniper(), deadline: RegistryFixture.CallDeadline).ResponseAsync));
            caseIds = accepted.Select(r => Guid.Parse(r.Case.CaseId)).ToList();

            // Nothing can reach custody while the broker is cut off: the events wait in intake's outbox.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(0, await CountCustodyRecordsAsync(caseIds));
            Assert.Equal(20, await RegistryFixture.CountAsync(registry.IntakeDatabase,
                "SELECT count(*) FROM outbox_messages WHERE \"SentAt\" IS NULL AND \"Payload\" LIKE ANY(@p0)", Patterns(caseIds)));
        }
        finally
        {
            registry.Broker.Restore();
        }

        await Eventually.TrueAsync(async () =>
            await CountCustodyRecordsAsync(caseIds) == 20
            && await RegistryFixture.CountAsync(registry.MedicalDatabase,
                "SELECT count(*) FROM medical_records WHERE \"CaseId\" = ANY(@p0)", caseIds.ToArray()) == 20,
            TimeSpan.FromSeconds(120), "all 20 registrations to reach custody and medical");

        // Exactly one event per case left intake, and each consumer applied each event once.
        var messageIds = await RegistryFixture.CountAsync(registry.IntakeDatabase,
            "SELECT count(DISTINCT \"MessageId\") FROM outbox_messages WHERE \"SentAt\" IS NOT NULL AND \"Payload\" LIKE ANY(@p0)", Patterns(caseIds));
        Assert.Equal(20, messageIds);
        foreach (var database in new[] { registry.CustodyDatabase, registry.MedicalDatabase })
        {
            Assert.Equal(0, await RegistryFixture.CountAsync(database,
                "SELECT count(*) - count(DISTINCT \"MessageId\") FROM inbox_messages"));
        }

        // The events the outage held back leave together, in bundles (CaseRegisteredBundle): neither they nor a single one refused.
        foreach (var queue in new[] { "custody-case-registered", "medical-case-registered", "custody-case-registered-bundle", "medical-case-registered-bundle" })
        {
            Assert.Equal(0, await registry.Infrastructure.QueueDepthAsync(registry.BrokerVirtualHost, queue + "_error"));
        }
    }

    private Task<long> CountCustodyRecordsAsync(List<Guid> caseIds) =>
        RegistryFixture.CountAsync(registry.CustodyDatabase, "SELECT count(*) FROM custody_records WHERE \"CaseId\" = ANY(@p0)", caseIds.ToArray());

    private static string[] Patterns(IEnumerable<Guid> caseIds) => caseIds.Select(id => $"%{id}%").ToArray();
}
