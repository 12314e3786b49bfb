using Registry.Ctl;
using Registry.Ctl.Import;

const string usage = """
    registryctl — operator commands for the registry

      registryctl move-errors <queue> [--broker amqp://user:password@host:5672/vhost] [--max N]
          Moves the messages waiting in <queue>_error back to <queue> (e.g. custody-case-registered),
          once whatever made the consumer fail is fixed. Each is confirmed by the broker before it
          leaves the error queue. --broker defaults to ConnectionStrings__RabbitMq.
          Move a message back within the consumers' inbox window (Messaging:Retention:Inbox, 30 days
          by default): the inbox then recognises one that was applied after all. Older, its inbox row
          may be deleted and it would be applied again; raise the window to park messages longer.
          Sent outbox rows are kept Messaging:Retention:OutboxSent (7 days).

      registryctl outbox parked --service intake|custody|medical [--database <connection string>] [--provider Postgres|Sqlite] [--max N]
          Lists the outbox rows the service's dispatcher parked (it could not publish them: a type that
          names no contract, a payload that does not read, or Messaging:Outbox:MaxAttempts failures while
          the broker was up): id, message id, type, case, attempts, created, parked and the last error.
          Read straight from the service's database: --database defaults to ConnectionStrings__Intake or
          ConnectionStrings__Custody, --provider to Database__Provider (Postgres); for the embedded mode,
          --provider Sqlite --database "Data Source=.data/embedded/intake.db". --max defaults to 100.

      registryctl outbox retry <id>|--all --service intake|custody|medical [--database …] [--provider …]
          Re-queues a parked row (or all of them) once the cause is fixed, with a fresh count of attempts;
          the running service publishes it within 2 s. It reaches consumers after the events of its case
          written since; consumers that keep state from ordered events compare the revision they carry.

      registryctl clients list [--database <connection string>] [--provider Postgres|Sqlite]
          Lists the agency systems registered with the authorization server: client id, agency, roles,
          enabled or disabled, name. Never a secret. --database defaults to ConnectionStrings__Identity,
          --provider to Database__Provider (Postgres); embedded: --provider Sqlite --database "Data Source=.data/embedded/identity.db".

      registryctl clients create <client-id> --agency <code> --roles <role,role> [--name <display name>] [--database …] [--provider …]
          Registers an agency system (roles: intake-officer, custodian, medic, coordinator, icrc-delegate,
          auditor, partner) with a fresh secret, printed once: it is stored hashed.

      registryctl clients rotate-secret <client-id> [--database …] [--provider …]
          Gives the client a new secret, printed once; the old one is refused from now on.

      registryctl clients disable <client-id> [--database …] [--provider …]
          The token endpoint answers invalid_client; its stored tokens are revoked; the services refuse its
          tokens already issued within Auth:DisabledClientsRefresh (10 s). Configuration never re-enables it.

      registryctl keys list [--database …] [--provider …]
          The signing and encryption keys: kid, use, generation, created, signs from, retired (never the key).

      registryctl keys rotate [--overlap 00:00:00] [--retire-after 01:00:00] [--database …] [--provider …]
          Adds a signing key that signs from now plus --overlap, and retires the keys it replaces --retire-after
          its start (keep it above the access-token lifetime). Servers publish and use it from their next start.

      registryctl token --authority <url> --client <client-id> [--secret <secret>] [--scope registry]
          Prints an access token (client-credentials grant, RFC 6749 §4.4) from the authorization server at
          --authority (or REGISTRY_AUTHORITY); the secret may come from REGISTRY_CLIENT_SECRET instead.

      registryctl import <list.csv> --agency <code> --gateway <url> --authority <url> --client <client-id> [--secret <secret>] [--report <file>] [--batch 500] [--parallel 2]
          Registers an agency's list of captured persons (CSV) through the gateway's ImportCaptures, with a progress bar and a
          report file of every row's outcome; exit 3 when some rows were refused. `registryctl import --help` for the columns.

    Exit codes: 0 done, 1 the broker, database or authorization server could not be used or refused (or the row is not parked), 2 a bad command line.
    """;

try
{
    return args switch
    {
        ["move-errors", var queue, .. var rest] => await MoveErrorsAsync(queue, rest),
        ["outbox", "parked", .. var rest] => await ListParkedAsync(rest),
        ["outbox", "retry", var target, .. var rest] => await RetryAsync(target, rest),
        ["clients", var command, .. var rest] => await IdentityCommands.ClientsAsync(command, rest),
        ["keys", var command, .. var rest] => await IdentityCommands.KeysAsync(command, rest),
        ["token", .. var rest] => await IdentityCommands.TokenAsync(rest),
        ["import", .. var rest] => await ImportCommand.RunAsync(rest),
        _ => Usage(),
    };
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"{ex.Message}\n\n{usage}");
    return 2;
}
catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or ArgumentException or System.Net.Sockets.SocketException
    or HttpRequestException or Registry.ServiceDefaults.Security.TokenRequestException or Microsoft.EntityFrameworkCore.DbUpdateException)
{
    // A database, broker or argument that does not work: said in one line, not as a stack trace.
    Console.Error.WriteLine($"registryctl: {ex.Message}");
    return 1;
}

int Usage()
{
    Console.Error.WriteLine(usage);
    return 2;
}

async Task<int> MoveErrorsAsync(string queue, string[] rest)
{
    var options = Options.Parse(rest, "--broker", "--max");
    var broker = options.Get("--broker") ?? Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
    if (string.IsNullOrWhiteSpace(broker))
    {
        throw new UsageException("No broker: pass --broker amqp://... or set ConnectionStrings__RabbitMq.");
    }

    var moved = await ErrorQueues.MoveBackAsync(broker, queue, options.Int("--max"));
    Console.WriteLine($"moved {moved} message(s) from {queue}_error back to {queue}");
    return 0;
}

async Task<int> ListParkedAsync(string[] rest)
{
    var options = Options.Parse(rest, "--service", "--database", "--provider", "--max");
    await using var outbox = await OpenOutboxAsync(options);
    var rows = await outbox.ListAsync(options.Int("--max") ?? 100);
    if (rows.Count == 0)
    {
        Console.WriteLine("no parked outbox rows");
        return 0;
    }

    foreach (var row in rows)
    {
        Console.WriteLine($"{row.Id}\t{row.MessageType}\tmessage {row.MessageId}\tcase {row.OrderingKey ?? "-"}\tattempts {row.Attempts}" +
            $"\tcreated {row.CreatedAt:O}\tparked {row.ParkedAt:O}\t{row.LastError}");
    }

    Console.WriteLine($"{rows.Count} parked row(s); `registryctl outbox retry <id>` re-queues one once the cause is fixed");
    return 0;
}

async Task<int> RetryAsync(string target, string[] rest)
{
    long? id = target == "--all" ? null
        : long.TryParse(target, out var parsed) ? parsed
        : throw new UsageException($"'{target}' is not an outbox row id (a number, as `registryctl outbox parked` lists) nor --all.");
    var options = Options.Parse(rest, "--service", "--database", "--provider");
    await using var outbox = await OpenOutboxAsync(options);
    var requeued = await outbox.RetryAsync(id);
    if (requeued == 0)
    {
        Console.Error.WriteLine(id is null ? "no parked outbox rows" : $"no parked outbox row {id}");
        return 1;
    }

    Console.WriteLine($"re-queued {requeued} parked outbox row(s)");
    return 0;
}

static Task<ParkedOutbox> OpenOutboxAsync(Options options)
{
    var service = options.Get("--service")?.ToLowerInvariant()
        ?? throw new UsageException("--service intake|custody|medical is required.");
    var connectionName = service switch
    {
        "intake" => "Intake",
        "custody" => "Custody",
        "medical" => "Medical",
        _ => throw new UsageException($"--service must be intake, custody or medical, not '{service}'."),
    };
    var database = options.Get("--database") ?? Environment.GetEnvironmentVariable($"ConnectionStrings__{connectionName}")
        ?? throw new UsageException($"No database: pass --database or set ConnectionStrings__{connectionName}.");
    var provider = options.Get("--provider") ?? Environment.GetEnvironmentVariable("Database__Provider") ?? "Postgres";
    return ParkedOutbox.OpenAsync(provider, database);
}

/// <summary>A command line the usage text does not allow.</summary>
sealed class UsageException(string message) : Exception(message);

/// <summary>The <c>--name value</c> options of a command.</summary>
sealed class Options(Dictionary<string, string> values)
{
    public static Options Parse(string[] args, params string[] allowed)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!allowed.Contains(args[i]) || i + 1 >= args.Length)
            {
                throw new UsageException($"unknown option or missing value: {args[i]}");
            }

            values[args[i]] = args[++i];
        }

        return new Options(values);
    }

    public string? Get(string name) => values.GetValueOrDefault(name);

    public int? Int(string name) => Get(name) is not { } text ? null
        : int.TryParse(text, out var value) && value > 0 ? value
        : throw new UsageException($"{name} must be a positive number, not '{text}'.");
}
