using Registry.Custody.Data;
using Registry.Custody.Grpc;
using Registry.Protos.Custody.V1;
using Registry.Testing;

namespace Registry.Custody.Tests;

public class CustodyFixture() : ServiceFixture<CustodyGrpcService, CustodyDbContext>("Custody")
{
    public CustodyService.CustodyServiceClient Client => new(Service.Channel);
}
