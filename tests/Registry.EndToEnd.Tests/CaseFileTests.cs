using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Google.Protobuf.WellKnownTypes;
using Registry.EndToEnd.Tests.Otlp;
using Registry.Protos.Custody.V1;
using Registry.Protos.Medical.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

[Collection(RegistryCollection.Name)]
public sealed class CaseFileTests(RegistryFixture registry)
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(60);

    private IntakeService.IntakeServiceClient Intake => new(registry.GatewayChannel);
    private CaseFileService.CaseFileServiceClient CaseFiles => new(registry.GatewayChannel);

    [Fact]
    public async Task Both_soldiers_registered_through_the_gateway_have_a_whole_case_file()
    {
        foreach (var request in new[] { SeedStory.Rifleman(), SeedStory.Sniper() })
        {
            var registered = (await Intake.RegisterCaptureAsync(request, deadline: RegistryFixture.CallDeadline)).Case;

            var file = await WholeCaseFileAsync(CaseFiles, registered.CaseId);

            Assert.Equal(registered, file.Identity.Case);
            Assert.Equal(registered.CaseNumber, file.Custody.Record.CaseNumber);
            Assert.Equal(Protos.Custody.V1.CustodyState.AwaitingAdmission, file.Custody.Record.State);
            Assert.Equal("Kursk region", file.Custody.Record.CapturePlace);
            Assert.Equal(Protos.Medical.V1.MedicalStatus.AwaitingExamination, file.Medical.Summary.Status);
        }
    }

    [Fact]
    public async Task The_sniper_admitted_in_Kyiv_and_examined_is_held_under_treatment_and_his_capture_card_runs_from_arrival()
    {
        var registered = (await Intake.RegisterCaptureAsync(SeedStory.Sniper(), deadline: RegistryFixture.CallDeadline)).Case;
        await WholeCaseFileAsync(CaseFiles, registered.CaseId);
        var admittedAt = SeedStory.CapturedAt.AddDays(1);

        // The security service and its medical unit, each through the gateway with its own call.
        await new CustodyService.CustodyServiceClient(registry.GatewayChannel).AdmitToFacilityAsync(new AdmitToFacilityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = registered.CaseId,
            Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
            CustodianAgency = "UA-SBU",
            AdmittedAt = Timestamp.FromDateTimeOffset(admittedAt),
        }, deadline: RegistryFixture.CallDeadline);
        await new MedicalService.MedicalServiceClient(registry.GatewayChannel).RecordEncounterAsync(new RecordEncounterRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = registered.CaseId,
            Kind = EncounterKind.IntakeExamination,
            OccurredAt = Timestamp.FromDateTimeOffset(admittedAt.AddHours(2)),
            Place = "SBU detention facility medical unit, Kyiv",
            Clinician = "duty physician",
            Findings = { new ConditionFinding { Kind = ConditionKind.Injury, Description = "Fragment wounds of the face and jaw", BodySite = "face, jaw" } },
        }, deadline: RegistryFixture.CallDeadline);

        var file = (await CaseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = registered.CaseId })).CaseFile;
        Assert.Equal(CustodyState.Held, file.Custody.Record.State);
        Assert.Equal("Kyiv", file.Custody.Record.Facility.Locality);
        Assert.Equal(MedicalStatus.UnderTreatment, file.Medical.Summary.Status);

        // CustodyAdmitted crosses the bus to intake: the card is late a week after the arrival, long
        // before a week after the registration.
        var aWeekAfterArrival = Timestamp.FromDateTimeOffset(admittedAt.AddDays(7).AddHours(1));
        await Eventually.TrueAsync(async () =>
            (await Intake.ListOverdueAsync(new ListOverdueRequest { AsOf = aWeekAfterArrival, PageSize = 500 })).Items
                .Any(i => i.CaseId == registered.CaseId && i.Kind == OverdueKind.CaptureCard && i.Reason == "admission"),
            Propagation, "the capture card due a week after the arrival");
    }

    [Fact]
    public async Task One_trace_covers_the_gateway_intake_the_bus_and_both_consumers()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var caller = new Metadata { { "traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01" } };

        var registered = (await Intake.RegisterCaptureAsync(SeedStory.Rifleman(), caller, RegistryFixture.CallDeadline)).Case;
        await WholeCaseFileAsync(CaseFiles, registered.CaseId);

        // Every span of the trace hangs from another span of it, or from the caller's: one tree, no orphans.
        // A parent ends after its children and may reach the collector in a later export batch (a consumer's
        // receive span outlasts the inbox's commit), so the tree is awaited whole; an orphan never resolves.
        static List<ExportedSpan> Roots(List<ExportedSpan> spans)
        {
            var ids = spans.Select(s => s.SpanId).ToHashSet();
            return spans.Where(s => !ids.Contains(s.ParentSpanId)).ToList();
        }

        var spans = await Eventually.GetAsync(() =>
        {
            var inTrace = registry.Spans.Spans.Where(s => s.TraceId == traceId).ToList();
            var complete = inTrace.Any(s => s.Service == "gateway")
                && inTrace.Any(s => s.Service == "intake" && s.Scope == "MassTransit")
                && inTrace.Any(s => s.Service == "custody" && s.Kind == ExportedSpan.ConsumerKind)
                && inTrace.Any(s => s.Service == "medical" && s.Kind == ExportedSpan.ConsumerKind)
                && Roots(inTrace).All(r => r.Service == "gateway");
            return Task.FromResult(complete ? inTrace : null);
        }, TimeSpan.FromSeconds(30), $"spans of trace {traceId} from all four services, in one tree under the gateway's",
            () => "roots: " + string.Join("; ", Roots(registry.Spans.Spans.Where(s => s.TraceId == traceId).ToList())) + $" (spans collected: {registry.Spans.Spans.Count()}, by service: {string.Join(", ", registry.Spans.Spans.GroupBy(s => s.Service).Select(g => $"{g.Key}={g.Count()}"))})");

        Assert.All(Roots(spans), r => Assert.Equal("gateway", r.Service));
    }

    [Fact]
    public async Task With_medical_down_the_case_file_marks_medical_unavailable_and_keeps_the_rest()
    {
        await using var gateway = await registry.StartGatewayWithoutMedicalAsync();
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var registered = (await new IntakeService.IntakeServiceClient(TestCallers.Operator(channel)).RegisterCaptureAsync(SeedStory.Sniper())).Case;
        var caseFiles = new CaseFileService.CaseFileServiceClient(TestCallers.Operator(channel));

        var file = await Eventually.GetAsync(async () =>
        {
            var candidate = (await caseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = registered.CaseId })).CaseFile;
            return candidate.Custody.ResultCase == CustodyPart.ResultOneofCase.Record ? candidate : null;
        }, Propagation, "the custody part");

        Assert.Equal(registered, file.Identity.Case);
        Assert.Equal(MedicalPart.ResultOneofCase.Unavailable, file.Medical.ResultCase);
        Assert.Equal("UNAVAILABLE", file.Medical.Unavailable.Code);
    }

    [Fact]
    public async Task An_unknown_case_has_no_case_file_and_a_malformed_id_is_refused()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            CaseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        var malformed = await Assert.ThrowsAsync<RpcException>(() =>
            CaseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = "RC-000001" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
    }

    [Fact]
    public async Task Reflection_through_the_gateway_lists_every_service_agencies_can_call()
    {
        var reflection = new ServerReflection.ServerReflectionClient(registry.GatewayChannel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Subset(new HashSet<string>(services), new HashSet<string>
        {
            "registry.intake.v1.IntakeService", "registry.custody.v1.CustodyService",
            "registry.medical.v1.MedicalService", "registry.gateway.v1.CaseFileService", "grpc.health.v1.Health",
        });
    }

    internal static Task<CaseFile> WholeCaseFileAsync(CaseFileService.CaseFileServiceClient caseFiles, string caseId) =>
        Eventually.GetAsync(async () =>
        {
            var file = (await caseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId }, deadline: RegistryFixture.CallDeadline)).CaseFile;
            return file.Identity.ResultCase == IdentityPart.ResultOneofCase.Case
                && file.Custody.ResultCase == CustodyPart.ResultOneofCase.Record
                && file.Medical.ResultCase == MedicalPart.ResultOneofCase.Summary
                ? file
                : null;
        }, Propagation, $"the whole case file of {caseId}");
}
