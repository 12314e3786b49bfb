using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Registry.ServiceDefaults.Telemetry;
using Registry.Testing;

namespace Registry.Deploy.Tests;

/// <summary>
/// The alert rules, their unit tests and the Grafana dashboard name only metrics the services export (issue 16): every
/// <c>registry_*</c> name in them is the Prometheus name of an instrument on the registry's meter, as OpenTelemetry's
/// Prometheus exporter writes it (dots as underscores, <c>_seconds</c> for a unit of s, <c>_total</c> for a counter;
/// <c>_bucket</c>, <c>_sum</c>, <c>_count</c> of a histogram). A renamed instrument fails here, not silently in a dashboard.
/// </summary>
public sealed class MetricNamesTests
{
    private static readonly string[] Files =
    [
        Path.Combine("deploy", "prometheus", "alerts.yml"),
        Path.Combine("deploy", "prometheus", "alerts.test.yml"),
        Path.Combine("deploy", "grafana", "dashboards", "registry-overview.json"),
    ];

    [Fact]
    public void Every_metric_the_alerts_and_the_dashboard_name_is_one_the_services_export()
    {
        var exported = ExportedNames();
        Assert.Contains("registry_gc3_overdue", exported);
        Assert.Contains("registry_registrations_total", exported);

        var unknown = new List<string>();
        foreach (var file in Files)
        {
            var text = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, file));
            var names = Regex.Matches(text, @"\bregistry_[a-z0-9_]+").Select(m => m.Value)
                .Select(n => Regex.Replace(n, "_(bucket|sum|count)$", ""))
                // Label names (registry_duty, registry_outbox_store, ...) are not metrics.
                .Where(n => !Labels.Contains(n))
                .Distinct();
            unknown.AddRange(names.Where(n => !exported.Contains(n)).Select(n => $"{file}: {n}"));
        }

        Assert.True(unknown.Count == 0, "Not exported:\n" + string.Join("\n", unknown) + "\nExported:\n" + string.Join("\n", exported.Order()));
    }

    private static readonly HashSet<string> Labels =
        ["registry_duty", "registry_outbox_store", "registry_queue_kind", "registry_role", "registry_agency", "registry_outcome", "registry_probe"];

    /// <summary>The Prometheus names of every instrument on <see cref="RegistryTelemetry.Meter"/> in the services' assemblies.</summary>
    private static HashSet<string> ExportedNames()
    {
        Assembly[] assemblies =
        [
            typeof(RegistryTelemetry).Assembly, typeof(Intake.IntakeModule).Assembly, typeof(Custody.CustodyModule).Assembly,
            typeof(Medical.MedicalModule).Assembly, typeof(Gateway.GatewayModule).Assembly,
        ];
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (!type.ContainsGenericParameters
                && type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic).Any(f => typeof(Instrument).IsAssignableFrom(f.FieldType)))
            {
                RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == RegistryTelemetry.Meter.Name)
                {
                    names.Add(PrometheusName(instrument));
                }
            },
        };
        listener.Start();
        return names;
    }

    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        name += instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };
        var counter = instrument.GetType() is { IsGenericType: true } t
            && (t.GetGenericTypeDefinition() == typeof(Counter<>) || t.GetGenericTypeDefinition() == typeof(ObservableCounter<>));
        return counter ? name + "_total" : name;
    }
}
