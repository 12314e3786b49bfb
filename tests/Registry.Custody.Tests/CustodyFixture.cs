using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Grpc;
using Registry.Protos.Custody.V1;
using Registry.Testing;

namespace Registry.Custody.Tests;

public class CustodyFixture() : ServiceFixture<CustodyGrpcService, CustodyDbContext>("Custody")
{
    public CustodyService.CustodyServiceClient Client => new(Service.Channel);

    /// <summary>The events custody publishes (CustodyAdmitted), as intake would receive them.</summary>
    public TestEvents Events { get; private set; } = null!;

    protected override async Task StartingAsync(string broker) =>
        Events = await TestEvents.StartAsync(broker, "test-custody-events", typeof(CustodyAdmitted));

    protected override async Task StoppedAsync() => await Events.DisposeAsync();
}
