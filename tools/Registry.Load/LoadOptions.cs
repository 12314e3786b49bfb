using System.Globalization;

namespace Registry.Load;

/// <summary>Command-line options: <c>--name value</c> pairs, each with a default that suits a local run.</summary>
public sealed class LoadOptions
{
    public Uri Gateway => Gateways[0];

    /// <summary>The gateway's replicas (--gateway with commas): each client balances its calls round robin across those that answer.</summary>
    public IReadOnlyList<Uri> Gateways { get; private set; } = [new("http://127.0.0.1:5100")];
    public int Clients { get; private set; } = 16;
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Registrations per second, all clients together, in the measured registration phase (0: as fast as the clients go). Paced,
    /// the phase measures the registry below its maximum: the propagation lag at a sustained rate (issue 15: at half the maximum).
    /// </summary>
    public double Rate { get; private set; }
    public TimeSpan FloorDuration { get; private set; } = TimeSpan.FromSeconds(30);
    /// <summary>Seconds of registrations before anything is measured (null: a tenth of --duration, 1 to 3 s).</summary>
    public TimeSpan? Warmup { get; private set; }
    public TimeSpan ReadDuration { get; private set; } = TimeSpan.FromSeconds(10);
    /// <summary>Cases the registry must hold before search is measured; registered through the gateway when it holds fewer.</summary>
    public int Preload { get; private set; }
    /// <summary>Fill the preload through ImportCaptures batches (the bulk path) instead of single RegisterCapture calls.</summary>
    public bool PreloadBulk { get; private set; }
    /// <summary>How Russian family names are drawn (<see cref="Captures.NameDistribution"/>).</summary>
    public Captures.NameDistribution Names { get; private set; } = Captures.NameDistribution.Census;
    /// <summary>Rows to send through ImportCaptures after the registration phase (0: no import phase).</summary>
    public long Import { get; private set; }
    /// <summary>Rows per ImportCaptures call (1 to 1,000, the RPC's limit).</summary>
    public int ImportBatch { get; private set; } = 1000;
    /// <summary>ImportCaptures calls in flight at once (each on its own client connection; at most --clients).</summary>
    public int ImportParallel { get; private set; } = 2;
    /// <summary>After the import, time PostgreSQL COPY of the rows it wrote into a fresh copy of intake's schema.</summary>
    public bool Copy { get; private set; } = true;
    /// <summary>Before the timed COPY, fill the fresh database with the registry's other rows (untimed): COPY into tables of the same size.</summary>
    public bool CopyPrefill { get; private set; }
    public TimeSpan SearchDuration { get; private set; } = TimeSpan.FromSeconds(10);
    public TimeSpan DrainTimeout { get; private set; } = TimeSpan.FromSeconds(180);
    /// <summary>How often a registration that failed with a retryable status is sent again, with the same request_id.</summary>
    public int Retries { get; private set; } = 8;
    public TimeSpan CallDeadline { get; private set; } = TimeSpan.FromSeconds(10);
    public bool Reconcile { get; private set; } = true;
    public string? IntakeDatabase { get; private set; } = Environment.GetEnvironmentVariable("ConnectionStrings__Intake");
    public string? CustodyDatabase { get; private set; } = Environment.GetEnvironmentVariable("ConnectionStrings__Custody");
    public string? MedicalDatabase { get; private set; } = Environment.GetEnvironmentVariable("ConnectionStrings__Medical");
    public string? ResultFile { get; private set; }
    /// <summary>The client credentials file (dev-clients.json shape); every call but health needs a token.</summary>
    public string? CredentialsFile { get; private set; } = Environment.GetEnvironmentVariable("REGISTRY_LOAD_CREDENTIALS");
    /// <summary>Where to get tokens when not at the file's authority (the same server by another name).</summary>
    public Uri? Authority { get; private set; } =
        Environment.GetEnvironmentVariable("REGISTRY_AUTHORITY") is { Length: > 0 } authority ? new Uri(authority) : null;

    public const string Usage = """
        Registry load generator: the transport floor (gRPC health through the gateway), registrations,
        a bulk import (ImportCaptures) compared with PostgreSQL COPY, propagation lag, case-file reads and
        search, then a reconciliation of every accepted registration and imported row.

          dotnet run -c Release --project tools/Registry.Load -- [options]

          --gateway URL[,URL]    gateway gRPC address (http://127.0.0.1:5100); several replicas comma-separated,
                                 each client balancing round robin across those that answer
          --credentials FILE     client credentials (default: REGISTRY_LOAD_CREDENTIALS; with --embedded-data, DIR/dev-clients.json):
                                 JSON {"authority": URL, "clients": [{"clientId", "secret", "agency", "roles": [...]}]}, the
                                 dev-clients.json that the embedded host, tools/stack.sh and deploy/run-local.sh write.
                                 Each registration is sent with a token of an intake officer of its capturing agency (only
                                 the agencies with such a client are registered for); reads and search with a coordinator's
                                 (else an ICRC delegate's or an auditor's). Tokens: client-credentials grant, refreshed.
          --authority URL        the authorization server, when not reached at the file's "authority" (default: REGISTRY_AUTHORITY)
          --clients N            concurrent clients, each on its own HTTP/2 connection (16)
          --duration S           seconds of registrations (30); 0 skips the phase
          --rate N               registrations per second, all clients together, in that phase (0, the default: as fast as
                                 the clients go); each call is sent at its slot, or at once when the phase has fallen behind
                                 (at most --clients in flight), and the summary says how far behind it fell
          --floor-duration S     seconds of health checks, the transport floor (30); 0 skips it
          --warmup S             seconds of registrations first, unmeasured (a tenth of --duration, 1 to 3 s); 0 skips them
          --read-duration S      seconds of case-file reads (10); 0 skips them
          --preload N            before search, register cases through the gateway until the registry holds N (0: as it is);
                                 skipped when it already holds N, so a rerun on the same databases starts at once
          --preload-bulk         fill the preload with ImportCaptures batches (--import-batch, --import-parallel) instead of
                                 RegisterCapture: the way to a million cases
          --names census|compact how Russian family names are drawn (census): census, the commonest 70 with their falling
                                 frequencies and a long tail of rarer names, so that duplicate detection's blocks by family
                                 name have a real list's sizes; compact, the 70 alone and equally likely (those blocks
                                 about eight times larger: the worst case, and how the runs in docs/performance.md before the million-case run
                                 were made)
          --import N             after the registration phase, import N rows through ImportCaptures (0: none), one agency's
                                 list per call, agencies in turn; rows/s, per-batch latency, rows refused; reconciled on its own
          --import-batch N       rows per ImportCaptures call, 1 to 1000 (1000)
          --import-parallel N    ImportCaptures calls in flight at once (2; at most --clients)
          --no-copy              skip the COPY comparison that follows an import (PostgreSQL only): the rows the import wrote
                                 to intake's tables, COPYed (binary) into a new database migrated to intake's schema, only
                                 the COPY FROM timed; the import's rate printed as a fraction of COPY's
          --copy-prefill         before the timed COPY, fill that database with the registry's other rows (untimed), so that
                                 COPY meets tables and indexes of the registry's size (the comparison at a million cases)
          --search-duration S    seconds of SearchCases (10); 0 skips them
          --drain-timeout S      how long to wait for custody and medical to catch up (180)
          --retries N            retries of a failed registration with the same request_id (8)
          --no-reconcile         skip the zero-loss check (then no database access is needed)
          --intake-db, --custody-db, --medical-db CONNSTRING
                                 the services' databases, for the reconciliation and the propagation lag
                                 (default: ConnectionStrings__Intake / __Custody / __Medical); a SQLite one
                                 (Data Source=FILE) is read as the embedded host's
          --embedded-data DIR    reconcile against the embedded host's SQLite files in DIR (its Embedded:DataPath:
                                 intake.db, custody.db, medical.db), read-only
          --result-file PATH     also write the summary there
        Exit code: 0 when every accepted registration is in intake, custody and medical exactly once; 1 on any loss
        or duplicate; 2 on bad usage or when the registry cannot be reached.
        """;

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            TimeSpan Seconds() => TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
            switch (args[i])
            {
                case "--gateway": o.Gateways = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(g => new Uri(g))]; break;
                case "--clients": o.Clients = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--duration": o.Duration = Seconds(); break;
                case "--rate": o.Rate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--floor-duration": o.FloorDuration = Seconds(); break;
                case "--warmup": o.Warmup = Seconds(); break;
                case "--read-duration": o.ReadDuration = Seconds(); break;
                case "--preload": o.Preload = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--search-duration": o.SearchDuration = Seconds(); break;
                case "--preload-bulk": o.PreloadBulk = true; break;
                case "--names":
                    o.Names = Value() switch
                    {
                        "census" => Captures.NameDistribution.Census,
                        "compact" => Captures.NameDistribution.Compact,
                        var other => throw new ArgumentException($"--names is census or compact, not {other}"),
                    };
                    break;
                case "--import": o.Import = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--import-batch": o.ImportBatch = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--import-parallel": o.ImportParallel = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--no-copy": o.Copy = false; break;
                case "--copy-prefill": o.CopyPrefill = true; break;
                case "--search-preload":
                    // The option's earlier name: 0 skipped search, N preloaded N.
                    o.Preload = int.Parse(Value(), CultureInfo.InvariantCulture);
                    o.SearchDuration = o.Preload == 0 ? TimeSpan.Zero : o.SearchDuration;
                    break;
                case "--drain-timeout": o.DrainTimeout = Seconds(); break;
                case "--retries": o.Retries = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--no-reconcile": o.Reconcile = false; break;
                case "--intake-db": o.IntakeDatabase = Value(); break;
                case "--custody-db": o.CustodyDatabase = Value(); break;
                case "--medical-db": o.MedicalDatabase = Value(); break;
                case "--credentials": o.CredentialsFile = Value(); break;
                case "--authority": o.Authority = new Uri(Value()); break;
                case "--embedded-data":
                    var data = Value();
                    o.CredentialsFile ??= Path.Combine(data, "dev-clients.json");
                    o.IntakeDatabase = ServiceDatabase.SqliteFile(data, "intake");
                    o.CustodyDatabase = ServiceDatabase.SqliteFile(data, "custody");
                    o.MedicalDatabase = ServiceDatabase.SqliteFile(data, "medical");
                    break;
                case "--result-file": o.ResultFile = Value(); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (o.Clients < 1)
        {
            throw new ArgumentException("--clients must be at least 1");
        }

        if (!double.IsFinite(o.Rate) || o.Rate < 0)
        {
            throw new ArgumentException("--rate must be a number of registrations per second, 0 or more");
        }

        if (o.ImportBatch is < 1 or > 1000)
        {
            throw new ArgumentException("--import-batch must be between 1 and 1000 (ImportCaptures takes at most 1,000 rows)");
        }

        if (o.ImportParallel < 1 || o.Import < 0)
        {
            throw new ArgumentException("--import-parallel must be at least 1 and --import at least 0");
        }

        if (o.CredentialsFile is null)
        {
            throw new ArgumentException(
                "every call but health needs a token: pass --credentials FILE (or set REGISTRY_LOAD_CREDENTIALS), e.g. the embedded host's .data/embedded/dev-clients.json");
        }

        if (o.Preload > 0 && o.IntakeDatabase is null)
        {
            throw new ArgumentException(
                "--preload counts the cases in intake's database: set ConnectionStrings__Intake (eval \"$(bash deploy/local-servers.sh)\" prints it) or pass --intake-db");
        }

        if (o.Reconcile && (o.IntakeDatabase is null || o.CustodyDatabase is null || o.MedicalDatabase is null))
        {
            throw new ArgumentException(
                "the reconciliation needs the three databases: set ConnectionStrings__Intake/__Custody/__Medical " +
                "(eval \"$(bash deploy/local-servers.sh)\" prints them), pass --intake-db/--custody-db/--medical-db, or --no-reconcile");
        }

        return o;
    }
}
