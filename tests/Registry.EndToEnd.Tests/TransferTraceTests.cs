using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.EndToEnd.Tests.Otlp;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>A transfer through the gateway: custody asks medical about fitness over gRPC, and the caller's trace continues into medical.</summary>
[Collection(RegistryCollection.Name)]
public sealed class TransferTraceTests(RegistryFixture registry)
{
    private const int ServerKind = 2;
    private const int ClientKind = 3;

    [Fact]
    public async Task A_transfers_trace_runs_from_the_gateway_through_custody_into_medicals_fitness_answer()
    {
        var registered = (await new IntakeService.IntakeServiceClient(registry.GatewayChannel)
            .RegisterCaptureAsync(SeedStory.Sniper(), deadline: RegistryFixture.CallDeadline)).Case;
        await CaseFileTests.WholeCaseFileAsync(new CaseFileService.CaseFileServiceClient(registry.GatewayChannel), registered.CaseId);
        var admittedAt = SeedStory.CapturedAt.AddDays(1);
        await new CustodyService.CustodyServiceClient(registry.GatewayChannel).AdmitToFacilityAsync(new AdmitToFacilityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = registered.CaseId,
            Facility = new Protos.Custody.V1.Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
            CustodianAgency = "UA-SBU",
            AdmittedAt = Timestamp.FromDateTimeOffset(admittedAt),
        }, deadline: RegistryFixture.CallDeadline);
        var medic = new MedicalService.MedicalServiceClient(TestCallers.As(registry.GatewayRawChannel, "UA-MOD-MED", RegistryRoles.Medic));
        await medic.AssessFitnessAsync(new AssessFitnessRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = registered.CaseId,
            Purpose = FitnessPurpose.Transfer,
            Outcome = FitnessOutcome.Fit,
            AssessedAt = Timestamp.FromDateTimeOffset(admittedAt.AddHours(3)),
            ValidUntil = Timestamp.FromDateTimeOffset(admittedAt.AddDays(30)),
            AssessedBy = "Maj. O. Kovalenko, military surgeon",
        }, deadline: RegistryFixture.CallDeadline);

        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var caller = new Metadata { { "traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01" } };
        var custodian = new CustodyService.CustodyServiceClient(TestCallers.As(registry.GatewayRawChannel, "UA-SBU", RegistryRoles.Custodian));
        var started = await custodian.TransferCustodyAsync(new TransferCustodyRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = registered.CaseId,
            Destination = new Protos.Custody.V1.Facility { Name = "POW camp No. 1", Locality = "Lviv region", Country = "UA" },
            ReceivingAgency = "UA-CCHPW",
            DepartedAt = Timestamp.FromDateTimeOffset(admittedAt.AddDays(5)),
            Reason = "moved away from the combat zone (GC III Art. 19)",
        }, caller, RegistryFixture.CallDeadline);
        Assert.Contains("fitness for TRANSFER: FIT", started.Event.Note);

        // Medical's server span of GetFitness hangs from custody's client span, itself in custody's handling of the transfer.
        var spans = await Eventually.GetAsync(() =>
        {
            var inTrace = registry.Spans.Spans.Where(s => s.TraceId == traceId).ToList();
            var fitness = inTrace.FirstOrDefault(s => s.Service == "medical" && s.Kind == ServerKind && s.Name.Contains("GetFitness"));
            var parent = fitness is null ? null : inTrace.FirstOrDefault(s => s.SpanId == fitness.ParentSpanId);
            // Each process exports on its own schedule: wait for the gateway's span too.
            return Task.FromResult(parent is not null && inTrace.Any(s => s.Service == "custody" && s.Kind == ServerKind && s.Name.Contains("TransferCustody"))
                && inTrace.Any(s => s.Service == "gateway") ? inTrace : null);
        }, TimeSpan.FromSeconds(30), $"the gateway's span and medical's GetFitness span in trace {traceId} under custody's call",
            () => string.Join("; ", registry.Spans.Spans.Where(s => s.TraceId == traceId).Select(s => $"{s.Service} {s.Kind} {s.Name}")));

        var answer = spans.Single(s => s.Service == "medical" && s.Kind == ServerKind && s.Name.Contains("GetFitness"));
        var question = spans.Single(s => s.SpanId == answer.ParentSpanId);
        Assert.Equal(("custody", ClientKind), (question.Service, question.Kind));
    }
}
