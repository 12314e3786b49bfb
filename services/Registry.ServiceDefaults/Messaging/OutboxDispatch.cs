using Microsoft.Extensions.Configuration;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// When the outbox dispatcher gives up on a row (configuration section <c>Messaging:Outbox</c>). A row the
/// broker refuses while the bus is up is tried again on its own clock, from <see cref="RetryMinInterval"/>
/// doubling to <see cref="RetryMaxInterval"/>, and parked after <see cref="MaxAttempts"/> failed attempts
/// (about 4 minutes with the defaults); a row that can never be published (its type names no contract, its
/// payload does not read as one) is parked at its first attempt. A broker outage charges no row: the whole
/// dispatcher waits instead (<see cref="OutboxDispatcher{TDb}"/>), so an outage of any length parks nothing.
/// <see cref="BundleLimit"/> sets how many <c>CaseRegistered</c> rows of one round go out as one
/// <c>CaseRegisteredBundle</c> message, <see cref="Linger"/> how long a round woken by a commit waits for more.
/// </summary>
public sealed class OutboxDispatch
{
    public const string Section = "Messaging:Outbox";

    public int MaxAttempts { get; init; } = 10;
    public TimeSpan RetryMinInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan RetryMaxInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most <c>CaseRegistered</c> events one bus message carries (<c>CaseRegisteredBundle</c>): 1 to 1,000, default
    /// 100 (a round of the dispatcher reads at most 100 rows, so more changes nothing). 1 publishes every event on its
    /// own. Bundles are sent on a broker only: the in-memory bus settles a row per message id and consumer
    /// (<see cref="IOutboxSettlement{TDb}.Bundles"/>).
    /// </summary>
    public int BundleLimit { get; init; } = 100;

    /// <summary>
    /// How long the dispatcher, woken by a commit, lets further commits join the round before it reads: 0 to 1 s, default
    /// 50 ms; 0 reads at once. The rows of those commits leave together (bundles of <see cref="BundleLimit"/>, one broker
    /// confirm, one transaction in each consumer instead of one per commit), for at most this much more delay from commit to
    /// publish; a round that found a full batch, or rounds slower than this, wait for nothing. Measured: docs/performance.md,
    /// "The outbox waits a moment for more" (issue 15).
    /// </summary>
    public TimeSpan Linger { get; init; } = DefaultLinger;

    /// <summary>The default <see cref="Linger"/>: 50 ms.</summary>
    public static readonly TimeSpan DefaultLinger = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest <see cref="Linger"/> accepted: 1 s (propagation's target is a p99 under 250 ms at half the maximum rate).</summary>
    public static readonly TimeSpan MaxLinger = TimeSpan.FromSeconds(1);

    /// <summary>How long a row waits after its <paramref name="attempts"/>-th failed attempt.</summary>
    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromTicks((long)Math.Min(RetryMaxInterval.Ticks, RetryMinInterval.Ticks * Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>Reads and checks the section; a value out of range stops the service at start.</summary>
    /// <exception cref="InvalidConfigurationException">An attempt count or interval is out of range.</exception>
    public static OutboxDispatch From(IConfiguration configuration)
    {
        var dispatch = configuration.GetSection(Section).Get<OutboxDispatch>() ?? new OutboxDispatch();
        var problems = new List<string>();
        if (dispatch.MaxAttempts is < 1 or > 1000)
        {
            problems.Add($"{Section}:MaxAttempts must be between 1 and 1000, not {dispatch.MaxAttempts}");
        }

        if (dispatch.RetryMinInterval < TimeSpan.FromMilliseconds(10))
        {
            problems.Add($"{Section}:RetryMinInterval must be at least 10 ms, not {dispatch.RetryMinInterval}");
        }

        if (dispatch.RetryMaxInterval < dispatch.RetryMinInterval || dispatch.RetryMaxInterval > TimeSpan.FromDays(1))
        {
            problems.Add($"{Section}:RetryMaxInterval must be between RetryMinInterval and 1 day, not {dispatch.RetryMaxInterval}");
        }

        if (dispatch.BundleLimit is < 1 or > 1000)
        {
            problems.Add($"{Section}:BundleLimit must be between 1 and 1000, not {dispatch.BundleLimit}");
        }

        if (dispatch.Linger < TimeSpan.Zero || dispatch.Linger > MaxLinger)
        {
            problems.Add($"{Section}:Linger must be a duration from 0 to {MaxLinger.TotalSeconds:0} s (00:00:00.050 is 50 ms), not {dispatch.Linger}");
        }

        return problems.Count == 0 ? dispatch : throw new InvalidConfigurationException(string.Join("; ", problems) + ".");
    }
}
