using Spectre.Console;
using System.CommandLine;
using Registry.Ctl.Cli;
using Registry.Ctl.Import;

namespace Registry.Ctl.Commands;

/// <summary>
/// The operator's commands that work on a service's own store or the broker (move-errors, outbox, clients, keys), the
/// token command, and the import, on System.CommandLine.
/// </summary>
public static class OperatorCommands
{
    private static Option<string?> Text(string name, string description) => new(name) { Description = description };

    private static readonly Option<string?> Database = Text("--database",
        "The service's database connection string (default: ConnectionStrings__<Service>); embedded: \"Data Source=.data/embedded/<service>.db\".");

    private static readonly Option<string?> Provider = Text("--provider", "Postgres (default, or Database__Provider) or Sqlite (the embedded mode's files).");

    public static Command MoveErrors()
    {
        var queue = new Argument<string>("queue") { Description = "The consumer's queue, e.g. custody-case-registered." };
        var broker = Text("--broker", "amqp://user:password@host:5672/vhost (default: ConnectionStrings__RabbitMq).");
        var max = Text("--max", "Move at most this many.");
        var command = new Command("move-errors", """
            Moves the messages waiting in <queue>_error back to <queue>, once whatever made the consumer fail is fixed; each is
            confirmed by the broker before it leaves the error queue. Move a message back within the consumers' inbox window
            (Messaging:Retention:Inbox, 30 days): the inbox then recognises one that was applied after all.
            Example: registryctl move-errors custody-case-registered --broker amqp://registry:registry@127.0.0.1:5672/
            """) { queue, broker, max }.WithOutput();
        command.SetAction(async (parse, ct) =>
        {
            var options = Options.From(parse, [broker, max]);
            var uri = options.Get("--broker") ?? Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
            if (string.IsNullOrWhiteSpace(uri))
            {
                throw new UsageException("No broker: pass --broker amqp://... or set ConnectionStrings__RabbitMq.");
            }

            var name = parse.GetValue(queue)!;
            var moved = await ErrorQueues.MoveBackAsync(uri, name, options.Int("--max"), ct);
            Output.WriteRecord(parse.GetValue(Connection.OutputFormat), new { queue = name, moved }, _ => Console.WriteLine($"moved {moved} message(s) from {name}_error back to {name}"));
            return ExitCodes.Done;
        });
        return command;
    }

    public static Command Outbox()
    {
        var service = Text("--service", "intake, custody or medical.");
        var max = Text("--max", "List at most this many (default 100).");
        var parked = new Command("parked", """
            Lists the outbox rows the service's dispatcher parked (it could not publish them): id, message id, type, case,
            attempts, created, parked and the last error; read straight from the service's database.
            Example: registryctl outbox parked --service intake
            """) { service, Database, Provider, max }.WithOutput();
        parked.SetAction(async (parse, _) =>
        {
            var options = Options.From(parse, [service, Database, Provider, max]);
            await using var outbox = await OpenOutboxAsync(options);
            var rows = await outbox.ListAsync(options.Int("--max") ?? 100);
            Output.WriteRecord(parse.GetValue(Connection.OutputFormat), new { rows }, console =>
            {
                Paging.Write(console, rows, "parked row(s)", "", ["id", "type", "message", "case", "attempts", "created", "parked", "last error"],
                    r => [r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r.MessageType, r.MessageId.ToString(), r.OrderingKey ?? "-",
                        r.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), r.CreatedAt.ToString("O"), r.ParkedAt.ToString("O"), r.LastError]);
                if (rows.Count > 0)
                {
                    console.MarkupLine("`registryctl outbox retry <id>` re-queues one once the cause is fixed");
                }
            });
            return ExitCodes.Done;
        });

        var id = new Argument<long?>("id") { Description = "The parked row's id, as `outbox parked` lists it.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Every parked row of the service." };
        var retry = new Command("retry", """
            Re-queues a parked row (or all of them) once the cause is fixed, with a fresh count of attempts; the running service
            publishes it within 2 s.
            Example: registryctl outbox retry 42 --service custody
            """) { id, all, service, Database, Provider }.WithOutput();
        retry.SetAction(async (parse, _) =>
        {
            var row = parse.GetValue(id);
            if ((row is null) == !parse.GetValue(all))
            {
                throw new UsageException("Name one parked row's id, or --all.");
            }

            await using var outbox = await OpenOutboxAsync(Options.From(parse, [service, Database, Provider]));
            var requeued = await outbox.RetryAsync(row);
            if (requeued == 0)
            {
                Console.Error.WriteLine(row is null ? "no parked outbox rows" : $"no parked outbox row {row}");
                return ExitCodes.Unusable;
            }

            Output.WriteRecord(parse.GetValue(Connection.OutputFormat), new { requeued }, _ => Console.WriteLine($"re-queued {requeued} parked outbox row(s)"));
            return ExitCodes.Done;
        });
        return new Command("outbox", "The outbox rows a service's dispatcher parked: list them, re-queue them.") { parked, retry };
    }

    public static Command Clients()
    {
        var clientId = new Argument<string>("client-id") { Description = "The agency system's client id, e.g. kr-nis-partner." };
        var agency = Text("--agency", "The agency it acts for, e.g. KR-NIS.");
        var roles = Text("--roles", "Its roles, comma-separated: intake-officer, custodian, medic, coordinator, icrc-delegate, auditor, partner.");
        var name = Text("--name", "A display name.");
        var list = new Command("list", "Lists the agency systems: client id, agency, roles, enabled or disabled, name; never a secret.\nExample: registryctl clients list")
            { Database, Provider }.WithOutput();
        list.SetAction((parse, _) => IdentityCommands.ListClientsAsync(Options.From(parse, [Database, Provider]), parse.GetValue(Connection.OutputFormat)));
        var create = new Command("create", "Registers an agency system with a fresh secret, printed once (stored hashed).\nExample: registryctl clients create kr-nis-partner --agency KR-NIS --roles partner")
            { clientId, agency, roles, name, Database, Provider }.WithOutput();
        create.SetAction((parse, _) => IdentityCommands.CreateClientAsync(parse.GetValue(clientId)!, Options.From(parse, [agency, roles, name, Database, Provider]), parse.GetValue(Connection.OutputFormat)));
        var rotate = new Command("rotate-secret", "Gives the client a new secret, printed once; the old one is refused from now on.\nExample: registryctl clients rotate-secret kr-nis-partner")
            { clientId, Database, Provider }.WithOutput();
        rotate.SetAction((parse, _) => IdentityCommands.RotateSecretAsync(parse.GetValue(clientId)!, Options.From(parse, [Database, Provider]), parse.GetValue(Connection.OutputFormat)));
        var disable = new Command("disable", """
            The token endpoint answers invalid_client; its stored tokens are revoked; the services refuse its tokens already
            issued within Auth:DisabledClientsRefresh (10 s). Configuration never re-enables it.
            Example: registryctl clients disable kr-nis-partner
            """) { clientId, Database, Provider }.WithOutput();
        disable.SetAction((parse, _) => IdentityCommands.DisableClientAsync(parse.GetValue(clientId)!, Options.From(parse, [Database, Provider]), parse.GetValue(Connection.OutputFormat)));
        return new Command("clients", """
            The agency systems registered with the authorization server, managed in its database (--database, default
            ConnectionStrings__Identity; embedded: --provider Sqlite --database "Data Source=.data/embedded/identity.db").
            """) { list, create, rotate, disable };
    }

    public static Command Keys()
    {
        var overlap = Text("--overlap", "The new key signs from now plus this (default 00:00:00).");
        var retireAfter = Text("--retire-after", "The keys it replaces are retired this long after its start (default 01:00:00; keep it above the token lifetime).");
        var list = new Command("list", "The signing and encryption keys: kid, use, generation, created, signs from, retired (never the key).\nExample: registryctl keys list")
            { Database, Provider }.WithOutput();
        list.SetAction((parse, _) => IdentityCommands.ListKeysAsync(Options.From(parse, [Database, Provider]), parse.GetValue(Connection.OutputFormat)));
        var rotate = new Command("rotate", "Adds a signing key; servers publish and use it from their next start.\nExample: registryctl keys rotate --overlap 00:10:00")
            { overlap, retireAfter, Database, Provider }.WithOutput();
        rotate.SetAction((parse, _) => IdentityCommands.RotateKeysAsync(Options.From(parse, [overlap, retireAfter, Database, Provider]), parse.GetValue(Connection.OutputFormat)));
        return new Command("keys", "The authorization server's keys, in its database.") { list, rotate };
    }

    public static Command Token()
    {
        var command = new Command("token", """
            Prints an access token (client-credentials grant, RFC 6749 §4.4) from the authorization server at --authority for
            --client with --secret, and keeps it in the profile (with the gateway and authority), so that later commands with
            the same --profile call with it until it is due. Without --secret it prints the profile's token while it is fresh
            (and keeps a new --gateway); with --secret it always fetches a new one.
            Example: registryctl token --authority http://127.0.0.1:5184/ --client ua-pow-hq-coordinator --secret "$SECRET" --profile coordinator
            """).WithConnection();
        command.SetAction(async (parse, ct) =>
        {
            var (token, gateway) = await Connection.TokenAsync(parse, ct);
            Output.WriteRecord(parse.GetValue(Connection.OutputFormat), new { token, gateway, profile = Connection.ProfileName(parse) }, _ => Console.WriteLine(token));
            return ExitCodes.Done;
        });
        return command;
    }

    public static Command Import()
    {
        var list = new Argument<FileInfo>("list.csv") { Description = "The agency's list (RFC 4180 CSV, UTF-8, a header row naming the columns)." };
        Option<string?>[] options =
        [
            Text("--agency", "The capturing agency of every row without one (the token's agency)."),
            Text("--report", "The per-row report file (default: the list's name with .report.csv)."),
            Text("--batch", "Rows a call, 1 to 1,000 (default 500)."),
            Text("--parallel", "Calls in flight (default 2)."),
            Text("--retries", "Times a failed batch is sent again (default 5)."),
            Text("--progress-interval", "Seconds between progress lines when not on a terminal (default 5)."),
        ];
        var command = new Command("import", ImportCommand.Help) { list }.With(options).WithConnection();
        command.SetAction((parse, ct) => ImportCommand.RunAsync(parse.GetValue(list)!.FullName, parse, Options.From(parse, options), ct));
        return command;
    }

    private static Task<ParkedOutbox> OpenOutboxAsync(Options options)
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
}
