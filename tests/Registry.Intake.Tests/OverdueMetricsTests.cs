using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// The registry's own metrics as an operator's Prometheus reads them (issue 16): intake's <c>/metrics</c> scraped over
/// HTTP, the clock moved past the Convention's deadlines, the GC III overdue gauge rising, and the alert rules of
/// <c>deploy/prometheus/alerts.yml</c> firing on the scraped values (promtool, from Debian's prometheus package).
/// Not run beside other classes: the gauges are the process's, and other fixtures' probes would write them too.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class OverdueMetricsTests(MetricsIntakeFixture intake) : IClassFixture<MetricsIntakeFixture>
{
    [Fact]
    public async Task Moving_the_clock_past_a_week_raises_the_overdue_gauge_and_fires_its_alert()
    {
        using var http = intake.Service.CreateHttpPortClient();
        var createdBefore = Registrations(await http.GetStringAsync("/metrics"));
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;

        // Just registered: the capture card (a week) and the ICRC notification (48 hours) are due, not late.
        var before = await GaugeAsync(http, s => s.TryGetValue("capture_card", out var cards) && cards == 0 && s.ContainsKey("icrc_notification"));
        Assert.Equal(0, before["icrc_notification"]);

        intake.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromHours(1));
        var after = await GaugeAsync(http, s => s.GetValueOrDefault("capture_card") == 1);
        Assert.Equal(1, after["icrc_notification"]);
        Assert.Equal(0, after["weekly_health_report"]);

        // The registration is counted, by the caller's agency and its outcome (the counter is the process's: other
        // classes' registrations came before).
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(createdBefore + 1, Registrations(metrics));

        // The alert rules, fed what was scraped: one alert per late kind of duty, none for the others.
        var series = Regex.Matches(metrics, @"^registry_gc3_overdue\{([^}]*)\} (\S+)", RegexOptions.Multiline)
            .Select(m => (Labels: m.Groups[1].Value, Value: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(3, series.Count);
        var firing = after.Where(d => d.Value > 0).Select(d => d.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["capture_card", "icrc_notification"], firing);
        var output = await PromtoolAsync(series, firing);
        Assert.Contains("SUCCESS", output);

        // Issued, the card is no longer late: the gauge falls back.
        await intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = registered.CaseId });
        await GaugeAsync(http, s => s.GetValueOrDefault("capture_card", -1) == 0);
    }

    /// <summary>registry_registrations_total of UA-SSO's created registrations in a scrape (0 before the first).</summary>
    private static long Registrations(string metrics)
    {
        var match = Regex.Match(metrics, @"^registry_registrations_total\{[^}]*registry_agency=""UA-SSO""[^}]*registry_outcome=""created""[^}]*\} (\d+)", RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Scrapes <c>registry_gc3_overdue</c> by duty until <paramref name="ready"/>, moving the clock a second each time so the probe runs.</summary>
    private async Task<Dictionary<string, long>> GaugeAsync(HttpClient http, Func<Dictionary<string, long>, bool> ready) =>
        await Eventually.GetAsync(async () =>
        {
            intake.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
            var text = await http.GetStringAsync("/metrics");
            var byDuty = Regex.Matches(text, @"^registry_gc3_overdue\{[^}]*registry_duty=""(\w+)""[^}]*\} (\d+)", RegexOptions.Multiline)
                .ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            return ready(byDuty) ? byDuty : null;
        }, TimeSpan.FromSeconds(30), "registry_gc3_overdue at /metrics");

    /// <summary>
    /// Runs <c>promtool test rules</c> with deploy/prometheus/alerts.yml on the scraped series (held for three minutes, as
    /// a scrape every minute would keep them) and expects exactly <paramref name="firing"/> to fire at once.
    /// </summary>
    private static async Task<string> PromtoolAsync(IReadOnlyList<(string Labels, double Value)> series, IReadOnlyList<string> firing)
    {
        var rules = Path.Combine(ServiceProcess.RepositoryRoot, "deploy", "prometheus", "alerts.yml");
        var test = new StringBuilder()
            .AppendLine("rule_files:")
            .AppendLine(CultureInfo.InvariantCulture, $"  - '{rules}'")
            .AppendLine("evaluation_interval: 1m")
            .AppendLine("tests:")
            .AppendLine("  - interval: 1m")
            .AppendLine("    input_series:");
        foreach (var (labels, value) in series)
        {
            var v = value.ToString(CultureInfo.InvariantCulture);
            test.AppendLine(CultureInfo.InvariantCulture, $"      - series: 'registry_gc3_overdue{{job=\"registry-intake\",{labels}}}'")
                .AppendLine(CultureInfo.InvariantCulture, $"        values: '{v} {v} {v}'");
        }

        test.AppendLine("    promql_expr_test:")
            .AppendLine("      - expr: ALERTS{alertname=\"RegistryGc3DutiesOverdue\",alertstate=\"firing\"}")
            .AppendLine("        eval_time: 1m")
            .AppendLine(firing.Count == 0 ? "        exp_samples: []" : "        exp_samples:");
        foreach (var duty in firing)
        {
            test.AppendLine(CultureInfo.InvariantCulture,
                    $"          - labels: 'ALERTS{{alertname=\"RegistryGc3DutiesOverdue\",alertstate=\"firing\",registry_duty=\"{duty}\",severity=\"page\"}}'")
                .AppendLine("            value: 1");
        }

        var file = Path.Combine(Path.GetTempPath(), $"registry-alerts-{Guid.NewGuid():N}.test.yml");
        await File.WriteAllTextAsync(file, test.ToString());
        try
        {
            using var promtool = Process.Start(new ProcessStartInfo("promtool", ["test", "rules", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("promtool did not start");
            var stdout = promtool.StandardOutput.ReadToEndAsync();
            var stderr = promtool.StandardError.ReadToEndAsync();
            await promtool.WaitForExitAsync();
            var output = await stdout + await stderr;
            Assert.True(promtool.ExitCode == 0, $"promtool test rules failed:\n{output}\n{test}");
            return output;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "promtool is not installed: install Debian's prometheus package (apt-get install prometheus; tools/test.sh does it as root).", ex);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>Intake with a clock the test moves, its metrics probes reading every (fake) second.</summary>
public sealed class MetricsIntakeFixture : ClockedIntakeFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Telemetry:Metrics:ProbeInterval"] = "00:00:01",
    };
}

/// <summary>Classes that read the process's gauges run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
