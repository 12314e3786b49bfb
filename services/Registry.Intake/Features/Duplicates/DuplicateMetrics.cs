using System.Diagnostics;
using System.Diagnostics.Metrics;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Intake.Features.Duplicates;

/// <summary>
/// How long duplicate detection takes, on <see cref="RegistryTelemetry.Meter"/>:
/// <c>registry.intake.duplicates.duration</c> (histogram, seconds), tagged <see cref="ScopeTag"/> with
/// <c>registration</c> (one RegisterCapture: blocking statement, name frequencies, scoring),
/// <c>identity_update</c> (an identity correction looking again), <c>import</c> (one part of an ImportCaptures
/// call, a transaction of at most 512 duplicate-lock keys, about 100 rows: DuplicateLocks.Parts; a call of more rows records
/// one value a part) or <c>registration_batch</c> (RegisterCapture calls committed together
/// by RegistrationBatcher, once for the batch; <c>registry.registration.batch.size</c> counts its calls). Read it with <c>dotnet-counters monitor -p &lt;intake's pid&gt;
/// --counters Registry</c> (p50/p95/p99) or an OpenTelemetry metrics exporter (explicit buckets from 1 ms to 10 s, see
/// <see cref="Buckets"/>: the SDK's default boundaries are meant for milliseconds). Issue 15's target: ≤ 5 ms per
/// registration at a million cases.
/// </summary>
public static class DuplicateMetrics
{
    public const string ScopeTag = "registry.duplicates.scope";

    /// <summary>Scope of one part of an ImportCaptures call's rows (a transaction).</summary>
    public const string Import = "import";

    /// <summary>Scope of RegisterCapture calls committed together (a transaction, or each part of at most 512 duplicate-lock keys).</summary>
    public const string RegistrationBatch = "registration_batch";

    /// <summary>Bucket boundaries in seconds, as OpenTelemetry's semantic conventions advise for durations.</summary>
    public static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static readonly Histogram<double> Duration = RegistryTelemetry.Meter.CreateHistogram(
        "registry.intake.duplicates.duration", "s", "Time spent finding possible duplicates of new or corrected cases",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    /// <summary>Records the time since <paramref name="startedTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static void Record(long startedTimestamp, string scope) =>
        Duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>(ScopeTag, scope));
}
