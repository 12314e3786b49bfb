using System.Diagnostics;
using Npgsql;

namespace Registry.ServiceDefaults.Telemetry;

/// <summary>
/// Npgsql's spans (commands, batches, COPY) only inside a trace, and none for a connection's opening: a statement run where no activity is current — the
/// outbox dispatcher's and the ICRC feed sequencer's polling, the outbox leader's liveness check, a batch of RegisterCapture
/// calls whose callers did not sample them — would otherwise start a trace of one span of its own, sampled at the root
/// ratio (<c>Telemetry:Tracing:SampleRatio</c>): a trial counted about 20 such traces every 30 s of an idle intake, and
/// 122 against 12 sampled requests under load. A statement of a request, consumer or publish is still a child span of
/// its trace, recorded when that trace is. The caller's decision holds (W3C Trace Context's sampled flag).
/// </summary>
public static class DatabaseSpans
{
    /// <summary>Filters <paramref name="builder"/>'s tracing to statements run inside a trace (an activity current).</summary>
    public static NpgsqlDataSourceBuilder OnlyWithinTraces(this NpgsqlDataSourceBuilder builder) =>
        builder.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null)
            .ConfigureCopyOperationFilter(_ => Activity.Current is not null)
            // A physical connection's opening (CONNECT) has no filter: the pool opens most of them outside any request, as
            // roots, and a slow one shows in its request's trace as the time before the first statement.
            .EnablePhysicalOpenTracing(false));
}
