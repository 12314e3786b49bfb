using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The registry's own metrics, scraped as Prometheus scrapes them (issue 16): each service process at <c>/metrics</c> on its
/// HTTP port, after a registration travelled gateway → intake → bus → custody and medical, and after a refusal.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class MetricsTests(RegistryFixture registry)
{
    [Fact]
    public async Task Each_process_exports_its_registrations_backlogs_lags_overdue_duties_and_denials()
    {
        var denialsBefore = Value(await ScrapeAsync(registry.Gateway), "registry_access_denials_total",
            ("registry_role", "intake-officer"), ("rpc_grpc_status_code", "7"), ("rpc_service", "registry.medical.v1.MedicalService")) ?? 0;

        var registered = (await new IntakeService.IntakeServiceClient(registry.GatewayChannel)
            .RegisterCaptureAsync(SeedStory.Rifleman(), deadline: RegistryFixture.CallDeadline)).Case;
        await CaseFileTests.WholeCaseFileAsync(new CaseFileService.CaseFileServiceClient(registry.GatewayChannel), registered.CaseId);

        // A role the access table does not allow the clinical record: refused at the gateway, counted there.
        var officer = new MedicalService.MedicalServiceClient(TestCallers.As(registry.GatewayRawChannel, "UA-SSO", RegistryRoles.IntakeOfficer));
        var refused = await Assert.ThrowsAsync<RpcException>(() => officer.GetMedicalRecordAsync(
            new GetMedicalRecordRequest { CaseId = registered.CaseId }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(denialsBefore + 1, Value(await ScrapeAsync(registry.Gateway), "registry_access_denials_total",
            ("registry_role", "intake-officer"), ("rpc_grpc_status_code", "7"), ("rpc_service", "registry.medical.v1.MedicalService")));

        var intake = await ScrapeAsync(registry.Intake);
        Assert.True(Value(intake, "registry_registrations_total", ("registry_agency", "UA-SSO"), ("registry_outcome", "created")) >= 1, intake);
        await Eventually.TrueAsync(async () =>
        {
            var now = await ScrapeAsync(registry.Intake);
            return Value(now, "registry_outbox_pending", ("registry_outbox_store", "IntakeDbContext")) == 0
                && Value(now, "registry_outbox_oldest_age_seconds", ("registry_outbox_store", "IntakeDbContext")) == 0;
        }, TimeSpan.FromSeconds(60), "intake's outbox to read empty once the events left");
        foreach (var duty in new[] { "capture_card", "icrc_notification", "weekly_health_report" })
        {
            Assert.NotNull(Value(intake, "registry_gc3_overdue", ("registry_duty", duty)));
        }

        var custody = await ScrapeAsync(registry.Custody);
        Assert.True(Value(custody, "registry_consumer_lag_seconds_count", ("messaging_destination_name", "custody-case-registered")) >= 1, custody);
        await Eventually.TrueAsync(async () => Value(await ScrapeAsync(registry.Custody), "registry_consumer_queue_depth",
                ("messaging_destination_name", "custody-case-registered"), ("registry_queue_kind", "error")) is not null,
            TimeSpan.FromSeconds(60), "custody's error queue depth read from the broker");

        var medical = await ScrapeAsync(registry.Medical);
        Assert.NotNull(Value(medical, "registry_gc3_overdue", ("registry_duty", "inspection")));
        Assert.NotNull(Value(medical, "registry_outbox_pending", ("registry_outbox_store", "MedicalDbContext")));
    }

    private static async Task<string> ScrapeAsync(ServiceProcess service)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync($"http://127.0.0.1:{service.HttpPort}/metrics");
    }

    /// <summary>The sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/> (null when none).</summary>
    private static double? Value(string exposition, string name, params (string Label, string Value)[] labels)
    {
        foreach (Match line in Regex.Matches(exposition, $@"^{Regex.Escape(name)}\{{([^}}]*)\}} (\S+)", RegexOptions.Multiline))
        {
            var text = line.Groups[1].Value;
            if (labels.All(l => text.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                return double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
