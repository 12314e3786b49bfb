using Registry.Medical.Data;
using Registry.Medical.Grpc;
using Registry.Protos.Medical.V1;
using Registry.Testing;

namespace Registry.Medical.Tests;

public sealed class MedicalFixture() : ServiceFixture<MedicalGrpcService, MedicalDbContext>("Medical")
{
    public MedicalService.MedicalServiceClient Client => new(Service.Channel);
}
