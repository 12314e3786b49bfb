using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// Partner sharing across the real processes (issue 11): the coordinator shares the rifleman's case (not the
/// sniper's) with the partner agency KR-NIS; KR-NIS reads the shared case's identity and custody through the
/// gateway and directly at each service, nothing of the other case, and never the medical part; after the
/// revocation intake refuses at once and custody within the bound intake.proto states (5 s), and the partner's
/// list of shared cases is empty.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class PartnerSharingTests(RegistryFixture registry)
{
    /// <summary>How soon after RevokeShare answers custody refuses the partner (intake.proto, README "Partner sharing").</summary>
    private static readonly TimeSpan RevocationBound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(60);

    private const string Partner = "KR-NIS";

    [Fact]
    public async Task A_partner_reads_identity_and_custody_of_exactly_the_shared_case_until_the_revocation()
    {
        var gateway = registry.GatewayRawChannel;
        var coordinator = new IntakeService.IntakeServiceClient(TestCallers.As(gateway, "UA-POW-HQ", RegistryRoles.Coordinator));
        var intakeVia = new Dictionary<string, IntakeService.IntakeServiceClient>
        {
            ["gateway"] = new(TestCallers.As(gateway, Partner, RegistryRoles.Partner)),
            ["intake"] = new(TestCallers.As(registry.DirectChannel(registry.Intake), Partner, RegistryRoles.Partner)),
        };
        var custodyVia = new Dictionary<string, CustodyService.CustodyServiceClient>
        {
            ["gateway"] = new(TestCallers.As(gateway, Partner, RegistryRoles.Partner)),
            ["custody"] = new(TestCallers.As(registry.DirectChannel(registry.Custody), Partner, RegistryRoles.Partner)),
        };
        var medicalVia = new Dictionary<string, MedicalService.MedicalServiceClient>
        {
            ["gateway"] = new(TestCallers.As(gateway, Partner, RegistryRoles.Partner)),
            ["medical"] = new(TestCallers.As(registry.DirectChannel(registry.Medical), Partner, RegistryRoles.Partner)),
        };
        var partnerIntake = intakeVia["gateway"];
        var partnerFiles = new CaseFileService.CaseFileServiceClient(TestCallers.As(gateway, Partner, RegistryRoles.Partner));

        var operatorIntake = new IntakeService.IntakeServiceClient(registry.GatewayChannel);
        var a = (await operatorIntake.RegisterCaptureAsync(SeedStory.Rifleman(), deadline: RegistryFixture.CallDeadline)).Case.CaseId;
        var b = (await operatorIntake.RegisterCaptureAsync(SeedStory.Sniper(), deadline: RegistryFixture.CallDeadline)).Case.CaseId;
        var files = new CaseFileService.CaseFileServiceClient(registry.GatewayChannel);
        await CaseFileTests.WholeCaseFileAsync(files, a);
        await CaseFileTests.WholeCaseFileAsync(files, b);

        var share = (await coordinator.ShareCaseAsync(new ShareCaseRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = a,
            PartnerAgency = Partner,
            Purpose = "tracing request of the partner's Red Cross society",
            ValidUntil = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(90)),
        }, deadline: RegistryFixture.CallDeadline)).Share;

        // Identity at once (intake decides from its own table); custody once CaseShared has crossed the bus.
        foreach (var (path, client) in intakeVia)
        {
            Assert.Equal(a, (await client.GetCaseAsync(new GetCaseRequest { CaseId = a }, deadline: RegistryFixture.CallDeadline)).Case.CaseId);
            Assert.Equal(StatusCode.PermissionDenied, await StatusAsync(() => client.GetCaseAsync(new GetCaseRequest { CaseId = b }, deadline: RegistryFixture.CallDeadline).ResponseAsync));
        }

        foreach (var (path, client) in custodyVia)
        {
            await Eventually.TrueAsync(async () => await StatusAsync(() => client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = a }, deadline: RegistryFixture.CallDeadline).ResponseAsync) == StatusCode.OK,
                Propagation, $"the partner reads the shared case's custody record via {path}");
            Assert.Equal(StatusCode.PermissionDenied, await StatusAsync(() => client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = b }, deadline: RegistryFixture.CallDeadline).ResponseAsync));
        }

        foreach (var (path, client) in medicalVia)
        {
            Assert.Equal(StatusCode.PermissionDenied, await StatusAsync(() => client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = a }, deadline: RegistryFixture.CallDeadline).ResponseAsync));
        }

        var listed = await partnerIntake.ListSharedCasesAsync(new ListSharedCasesRequest { PageSize = 100 }, deadline: RegistryFixture.CallDeadline);
        Assert.Equal([(a, share.ShareId)], listed.SharedCases.Select(c => (c.CaseId, c.ShareId)));

        var file = (await partnerFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = a }, deadline: RegistryFixture.CallDeadline)).CaseFile;
        Assert.Equal(a, file.Identity.Case.CaseId);
        Assert.Equal(a, file.Custody.Record.CaseId);
        Assert.Equal(MedicalPart.ResultOneofCase.Withheld, file.Medical.ResultCase);

        await coordinator.RevokeShareAsync(new RevokeShareRequest { ShareId = share.ShareId, Reason = "tracing request answered" }, deadline: RegistryFixture.CallDeadline);
        var revokedAt = Stopwatch.StartNew();

        foreach (var (path, client) in intakeVia)
        {
            Assert.Equal(StatusCode.PermissionDenied, await StatusAsync(() => client.GetCaseAsync(new GetCaseRequest { CaseId = a }, deadline: RegistryFixture.CallDeadline).ResponseAsync));
        }

        Assert.Empty((await partnerIntake.ListSharedCasesAsync(new ListSharedCasesRequest { PageSize = 100 }, deadline: RegistryFixture.CallDeadline)).SharedCases);
        Assert.Equal(StatusCode.PermissionDenied, await StatusAsync(() => partnerFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = a }, deadline: RegistryFixture.CallDeadline).ResponseAsync));

        foreach (var (path, client) in custodyVia)
        {
            await Eventually.TrueAsync(async () => await StatusAsync(() => client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = a }, deadline: RegistryFixture.CallDeadline).ResponseAsync) == StatusCode.PermissionDenied,
                RevocationBound, $"custody refusing the partner via {path} after the revocation");
        }

        Assert.True(revokedAt.Elapsed <= RevocationBound, $"custody refused the partner {revokedAt.Elapsed.TotalSeconds:0.0} s after the revocation; the bound is {RevocationBound.TotalSeconds} s");
    }

    private static async Task<StatusCode> StatusAsync<T>(Func<Task<T>> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
