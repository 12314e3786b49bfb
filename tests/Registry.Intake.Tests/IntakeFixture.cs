using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

public sealed class IntakeFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    /// <summary>The events intake publishes besides CaseRegistered (which <c>Bus</c> records).</summary>
    public TestEvents Events { get; private set; } = null!;

    /// <summary>Everything a request could leave behind: cases, assertions, status decisions, events.</summary>
    public Task<(int Cases, int Assertions, int StatusChanges, int Events)> CountStoredAsync() =>
        QueryAsync(async db => (await db.Cases.CountAsync(), await db.IdentityAssertions.CountAsync(),
            await db.StatusChanges.CountAsync(), await db.OutboxMessages.CountAsync()));

    protected override async Task StartingAsync(string broker) =>
        Events = await TestEvents.StartAsync(broker, "test-intake-events",
            typeof(IdentityUpdated), typeof(StatusCategoryChanged), typeof(CasesMerged), typeof(CaseShared), typeof(CaseShareRevoked));

    protected override async Task StoppedAsync() => await Events.DisposeAsync();
}
