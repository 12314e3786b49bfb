using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Hosting;
namespace Registry.Gateway;

/// <summary>
/// Where the owning services listen (configuration section <c>Services</c>): the gRPC address of
/// each, e.g. <c>Services:Intake = http://127.0.0.1:5101</c>, or of each of its replicas, comma-separated, or one
/// host name DNS resolves to every replica with <c>Services:ResolveDns=true</c> (<see cref="ServiceAddresses"/>);
/// and how long forwarded calls may take or sit idle. Durations are TimeSpans (<c>00:00:30</c>).
/// </summary>
public sealed class BackendOptions
{
    public const string Section = "Services";

    public required ServiceAddresses Intake { get; init; }
    public required ServiceAddresses Custody { get; init; }
    public required ServiceAddresses Medical { get; init; }

    /// <summary>
    /// Each address's host name stands for all the addresses DNS gives for it (a Kubernetes headless Service), read
    /// again every <see cref="RegistryGrpcClients.DnsRefreshInterval"/>; false by default.
    /// </summary>
    public bool ResolveDns { get; init; }

    /// <summary>
    /// How often the gateway asks each replica of a balanced service (several addresses, or DNS) whether it is ready
    /// (<c>GET /readyz</c>); one that fails twice in a row gets no new calls until it answers again. 5 s by default.
    /// </summary>
    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the case file waits for each part before marking it unavailable.</summary>
    public TimeSpan CaseFilePartTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The deadline a forwarded unary call gets when its caller set none, or one the gRPC spec does not
    /// allow (malformed, zero): the service answers DEADLINE_EXCEEDED after it.
    /// </summary>
    public TimeSpan ForwardedCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest deadline a forwarded unary call keeps (a caller's longer one is cut to it): 10 s, the
    /// services' own bound (<c>Grpc:MaxUnaryCallTimeout</c>, kept below the database pool's wait so stuck
    /// calls cannot starve the pool); no registry call needs more.
    /// </summary>
    public TimeSpan MaxForwardedCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest deadline a forwarded bulk call keeps (ImportCaptures: its request is a
    /// <see cref="Registry.Protos.IBulkRequest"/>), and the one it gets when its caller set none: 60 s, the services'
    /// <c>Grpc:BulkCallTimeout</c>. A list of 1,000 rows does a thousand registrations' work. At least
    /// <see cref="MaxForwardedCallTimeout"/>; keep it below <see cref="ActivityTimeout"/>, since a bulk call sends no byte
    /// while the service works on it and YARP would drop it as idle.
    /// </summary>
    public TimeSpan MaxForwardedBulkCallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a forwarded unary call may pass no byte either way before the gateway gives up on it
    /// (YARP's activity timeout; its default, 100 s).
    /// </summary>
    public TimeSpan ActivityTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The same for streaming calls (the ICRC feed), which are idle by nature while nothing happens:
    /// <see cref="Timeout.InfiniteTimeSpan"/> (configured as <c>0</c> or left unset) means never. A dead
    /// peer is found by HTTP/2 keep-alive pings instead (<c>Grpc:KeepAlivePingDelay</c>).
    /// </summary>
    public TimeSpan StreamActivityTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    public static BackendOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var resolveDns = section.GetValue(nameof(ResolveDns), false);
        var options = new BackendOptions
        {
            Intake = ServiceAddresses.Parse(section[nameof(Intake)], $"{Section}:{nameof(Intake)}", "intake", resolveDns),
            Custody = ServiceAddresses.Parse(section[nameof(Custody)], $"{Section}:{nameof(Custody)}", "custody", resolveDns),
            Medical = ServiceAddresses.Parse(section[nameof(Medical)], $"{Section}:{nameof(Medical)}", "medical", resolveDns),
            ResolveDns = resolveDns,
            HealthCheckInterval = DurationSetting.Positive(section, nameof(HealthCheckInterval), TimeSpan.FromSeconds(5)),
            CaseFilePartTimeout = DurationSetting.Positive(section, nameof(CaseFilePartTimeout), TimeSpan.FromSeconds(2)),
            ForwardedCallTimeout = DurationSetting.Positive(section, nameof(ForwardedCallTimeout), TimeSpan.FromSeconds(10)),
            MaxForwardedCallTimeout = DurationSetting.Positive(section, nameof(MaxForwardedCallTimeout), TimeSpan.FromSeconds(10)),
            MaxForwardedBulkCallTimeout = DurationSetting.Positive(section, nameof(MaxForwardedBulkCallTimeout), TimeSpan.FromSeconds(60)),
            ActivityTimeout = Activity(section, nameof(ActivityTimeout), TimeSpan.FromSeconds(100)),
            StreamActivityTimeout = Activity(section, nameof(StreamActivityTimeout), Timeout.InfiniteTimeSpan),
        };
        if (options.ForwardedCallTimeout > options.MaxForwardedCallTimeout)
        {
            throw new InvalidConfigurationException(
                $"{Section}:{nameof(ForwardedCallTimeout)} ({options.ForwardedCallTimeout}) must not exceed {Section}:{nameof(MaxForwardedCallTimeout)} ({options.MaxForwardedCallTimeout}).");
        }

        if (options.MaxForwardedBulkCallTimeout < options.MaxForwardedCallTimeout)
        {
            throw new InvalidConfigurationException(
                $"{Section}:{nameof(MaxForwardedBulkCallTimeout)} ({options.MaxForwardedBulkCallTimeout}) must be at least {Section}:{nameof(MaxForwardedCallTimeout)} " +
                $"({options.MaxForwardedCallTimeout}): a bulk call does many calls' work.");
        }

        return options;
    }


    /// <summary>An activity timeout: positive and under 24.8 days (YARP counts it in int milliseconds), or 0 for never.</summary>
    private static TimeSpan Activity(IConfigurationSection section, string name, TimeSpan fallback)
    {
        var value = section.GetValue(name, fallback);
        if (value == TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
        {
            return Timeout.InfiniteTimeSpan;
        }

        return value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue
            ? value
            : throw new InvalidConfigurationException($"{Section}:{name} must be a positive duration under 24 days, or 0 for never; not {value}.");
    }
}
