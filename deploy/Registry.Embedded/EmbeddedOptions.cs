namespace Registry.Embedded;

/// <summary>Settings of the embedded host (configuration section <c>Embedded</c>, or --Embedded:Key=value).</summary>
public sealed class EmbeddedOptions
{
    public const string Section = "Embedded";

    /// <summary>Where the services' SQLite files live; survives restarts.</summary>
    public string DataPath { get; set; } = ".data/embedded";
    public int GatewayPort { get; set; } = 5100;
    public int IntakePort { get; set; } = 5101;
    public int CustodyPort { get; set; } = 5102;
    public int MedicalPort { get; set; } = 5103;
    /// <summary>HTTP/1.1 port of /healthz and /readyz.</summary>
    public int HttpPort { get; set; } = 5180;
    /// <summary>HTTP/1.1 port of the authorization server (discovery, JWKS, /connect/token); the issuer is <see cref="Authority"/>.</summary>
    public int IdentityPort { get; set; } = 5184;

    public bool Dashboard { get; set; } = true;
    public int DashboardPort { get; set; } = 18888;
    public int DashboardOtlpPort { get; set; } = 18889;

    /// <summary>Replay the seed story through the gateway at start; null means "on the first run only".</summary>
    public bool? Demo { get; set; }

    /// <summary>The embedded authorization server's issuer, which the modules validate tokens against: <c>http://127.0.0.1:{IdentityPort}/</c>.</summary>
    public Uri Authority => new($"http://127.0.0.1:{IdentityPort}/");
    public Uri GatewayAddress => new($"http://127.0.0.1:{GatewayPort}");
    public Uri DashboardAddress => new($"http://127.0.0.1:{DashboardPort}");
    public Uri DashboardOtlpAddress => new($"http://127.0.0.1:{DashboardOtlpPort}");

    public string DatabaseFile(string service) => Path.GetFullPath(Path.Combine(DataPath, $"{service}.db"));
}
