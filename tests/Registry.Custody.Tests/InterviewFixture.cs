using Grpc.Net.ClientFactory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Grpc;
using Registry.Protos.Medical.V1;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>A real medical service in-process on a database and a virtual host of its own (the fitness question's other end).</summary>
public sealed class InterviewMedical() : ServiceFixture<MedicalGrpcService, MedicalDbContext>("Medical")
{
    public MedicalService.MedicalServiceClient Client => new(Service.Channel);
}

/// <summary>
/// Custody with a real medical behind its fitness question (Services:Medical): custody's own gRPC client of medical,
/// with its token forwarding and call-context propagation, reaching the in-process medical over its test server.
/// </summary>
public sealed class InterviewFixture : CustodyFixture
{
    public InterviewMedical Medical { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // The address only names the client; its handler is the medical test server's (ConfigureServices).
        ["Services:Medical"] = "http://medical.test",
    };

    protected override async Task StartingAsync(string broker)
    {
        await base.StartingAsync(broker);
        await Medical.InitializeAsync();
    }

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddGrpcClient<MedicalService.MedicalServiceClient>()
            .ConfigurePrimaryHttpMessageHandler(() => Medical.Service.Server.CreateHandler());

    protected override async Task StoppedAsync()
    {
        await base.StoppedAsync();
        await Medical.DisposeAsync();
    }

    /// <summary>Registers a case as intake would announce it, to custody and to medical, and waits for both records.</summary>
    public async Task<Guid> RegisterAsync(DateTimeOffset capturedAt, string number = "RC-000001")
    {
        var caseId = Guid.NewGuid();
        var registered = new CaseRegistered
        {
            CaseId = caseId, CaseNumber = number, FamilyName = "백", GivenNames = "광순", CapturedAt = capturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = capturedAt.AddHours(2), DateOfBirth = "2005",
        };
        await Bus.Publisher.Publish(registered);
        await Medical.Bus.Publisher.Publish(registered);
        await Eventually.TrueAsync(() => QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the custody record");
        await Eventually.TrueAsync(() => Medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the medical record");
        return caseId;
    }
}
