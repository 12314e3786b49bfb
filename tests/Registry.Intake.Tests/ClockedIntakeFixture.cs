using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>Intake with a clock the tests move, on a database of its own (so moved time touches no other test).</summary>
public class ClockedIntakeFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Clock);
    }
}
