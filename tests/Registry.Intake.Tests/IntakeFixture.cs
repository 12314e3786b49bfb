using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

public sealed class IntakeFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    public Task<(int Cases, int Events)> CountStoredAsync() =>
        QueryAsync(async db => (await db.Cases.CountAsync(), await db.OutboxMessages.CountAsync()));
}
