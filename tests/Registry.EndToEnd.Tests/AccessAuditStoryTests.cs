using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The seed story as the agencies live it, each with its own token, and the auditor's one question: who
/// touched the sniper's case — registered by the capturing unit (intake), his medical record read by the
/// security service's medic (medical), the custodian's attempt to read it refused at the gateway and again
/// at the medical service's own port — in time order across services.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class AccessAuditStoryTests(RegistryFixture registry)
{
    [Fact]
    public async Task The_auditor_sees_the_medics_read_and_the_custodians_refused_attempts_in_order_across_services()
    {
        var gateway = registry.GatewayRawChannel;
        var officer = new IntakeService.IntakeServiceClient(TestCallers.As(gateway, "UA-SSO", RegistryRoles.IntakeOfficer));
        var medic = new MedicalService.MedicalServiceClient(TestCallers.As(gateway, "UA-SBU", RegistryRoles.Medic));
        var custodian = new MedicalService.MedicalServiceClient(TestCallers.As(gateway, "UA-SBU", RegistryRoles.Custodian));
        var custodianDirect = new MedicalService.MedicalServiceClient(TestCallers.As(registry.DirectChannel(registry.Medical), "UA-SBU", RegistryRoles.Custodian));
        var auditor = new AuditService.AuditServiceClient(TestCallers.As(gateway, "UA-OMBUDSMAN", RegistryRoles.Auditor));

        var sniper = SeedStory.Sniper();
        sniper.Capture.CapturingAgency = "UA-SSO";
        var caseId = (await officer.RegisterCaptureAsync(sniper, deadline: RegistryFixture.CallDeadline)).Case.CaseId;
        await CaseFileTests.WholeCaseFileAsync(new CaseFileService.CaseFileServiceClient(registry.GatewayChannel), caseId);

        var record = await medic.GetMedicalRecordAsync(new GetMedicalRecordRequest { CaseId = caseId }, deadline: RegistryFixture.CallDeadline);
        Assert.Equal(caseId, record.Summary.CaseId);
        var atGateway = await Assert.ThrowsAsync<RpcException>(() =>
            custodian.GetMedicalRecordAsync(new GetMedicalRecordRequest { CaseId = caseId }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        var atService = await Assert.ThrowsAsync<RpcException>(() =>
            custodianDirect.GetMedicalRecordAsync(new GetMedicalRecordRequest { CaseId = caseId }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, StatusCode.PermissionDenied), (atGateway.StatusCode, atService.StatusCode));
        Assert.Equal(atGateway.Status.Detail, atService.Status.Detail);

        var events = new List<Registry.Protos.Audit.V1.AccessEvent>();
        var request = new ListAccessEventsRequest { CaseId = caseId, PageSize = 2 };
        do
        {
            var page = await auditor.ListAccessEventsAsync(request, deadline: RegistryFixture.CallDeadline);
            events.AddRange(page.Events);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        var story = events
            .Where(e => e.Method is "registry.intake.v1.IntakeService/RegisterCapture" or "registry.medical.v1.MedicalService/GetMedicalRecord")
            .Select(e => $"{e.Service} {e.Method.Split('/')[1]} {e.ClientId} {e.Outcome} {e.DecidedBy}".TrimEnd())
            .ToList();
        Assert.Equal(
        [
            "intake RegisterCapture test-ua-sso-intake-officer OK",
            "medical GetMedicalRecord test-ua-sbu-medic OK",
            "medical GetMedicalRecord test-ua-sbu-custodian PERMISSION_DENIED gateway",
            "medical GetMedicalRecord test-ua-sbu-custodian PERMISSION_DENIED",
        ], story);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.OccurredAt <= p.Second.OccurredAt), "the events are in time order");
        var read = events.First(e => e.Method.EndsWith("GetMedicalRecord", StringComparison.Ordinal));
        Assert.Equal(("UA-SBU", "medic"), (read.Agency, read.Roles));
        Assert.Matches("^[0-9a-f]{32}$", read.TraceId);
        // The case file reads of the other parts were audited by their services too.
        Assert.Contains(events, e => e is { Service: "custody", Method: "registry.custody.v1.CustodyService/GetCustodyRecord" });
    }

    [Fact]
    public async Task The_icrc_delegate_cannot_read_the_audit_and_the_auditor_reads_no_clinical_detail()
    {
        var gateway = registry.GatewayRawChannel;
        var icrc = new AuditService.AuditServiceClient(TestCallers.As(gateway, "ICRC", RegistryRoles.IcrcDelegate));
        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            icrc.ListAccessEventsAsync(new ListAccessEventsRequest { PageSize = 5 }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        var auditor = new MedicalService.MedicalServiceClient(TestCallers.As(gateway, "UA-OMBUDSMAN", RegistryRoles.Auditor));
        var clinical = await Assert.ThrowsAsync<RpcException>(() =>
            auditor.ListEncountersAsync(new ListEncountersRequest { CaseId = Guid.NewGuid().ToString() }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, clinical.StatusCode);
    }
}
