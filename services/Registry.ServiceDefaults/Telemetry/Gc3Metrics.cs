using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Registry.ServiceDefaults.Telemetry;

/// <summary>
/// The Convention's duties that are late now, on <see cref="RegistryTelemetry.Meter"/>:
/// <c>registry.gc3.overdue</c> (gauge, {duty}), one series per <see cref="DutyTag"/>:
/// <list type="bullet">
/// <item><see cref="CaptureCard"/>: capture cards due and not issued (GC III Art. 70: within a week), intake;</item>
/// <item><see cref="IcrcNotification"/>: ICRC notifications due and not acknowledged by the ICRC (Art. 122-123), intake;</item>
/// <item><see cref="WeeklyHealthReport"/>: weekly health reports of the seriously ill or wounded past due (Art. 122), intake,
/// from medical's clocks (the overdue view, <c>ListOverdue</c>);</item>
/// <item><see cref="Inspection"/>: monthly medical inspections past due (Art. 31), medical, for records that are neither merged nor closed by a death.</item>
/// </list>
/// Each service's probe counts its duties every <see cref="GaugeProbeSettings.Interval"/> on the service's clock; the
/// counts are the same rules as the overdue view at that moment. Any value above zero is a duty the registry is failing.
/// </summary>
public static class Gc3Metrics
{
    public const string DutyTag = "registry.duty";
    public const string CaptureCard = "capture_card";
    public const string IcrcNotification = "icrc_notification";
    public const string WeeklyHealthReport = "weekly_health_report";
    public const string Inspection = "inspection";

    private static readonly ConcurrentDictionary<string, long> OverdueNow = new();

    public static readonly ObservableGauge<long> Overdue = RegistryTelemetry.Meter.CreateObservableGauge(
        "registry.gc3.overdue",
        () => OverdueNow.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>(DutyTag, d.Key))),
        "{duty}", "GC III duties past their deadline now");

    /// <summary>Records how many duties of a kind are overdue now.</summary>
    public static void OverdueCount(string duty, long count) => OverdueNow[duty] = count;

    /// <summary>What the gauge reports for a duty (null before its probe counted).</summary>
    public static long? OverdueCountOf(string duty) => OverdueNow.TryGetValue(duty, out var count) ? count : null;
}
