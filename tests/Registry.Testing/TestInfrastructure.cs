using System.Net.Http.Headers;
using System.Text;
using DotNet.Testcontainers.Configurations;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Registry.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ the tests run against, found once per test process:
/// containers from Testcontainers where a Docker engine answers, else the servers named by
/// REGISTRY_TEST_POSTGRES / REGISTRY_TEST_RABBITMQ / REGISTRY_TEST_RABBITMQ_MANAGEMENT (what
/// deploy/local-servers.sh prints), else a failure that says how to get them. Never an in-memory stand-in.
/// Every fixture gets its own databases and its own RabbitMQ virtual host, so test runs and test
/// classes never see each other's rows or messages.
/// </summary>
public sealed class TestInfrastructure
{
    private const string User = "registry";
    private const string Password = "registry";

    private static readonly Lazy<Task<TestInfrastructure>> Shared = new(StartAsync);

    private readonly string _postgresAdmin;
    private readonly string _maintenance;
    private readonly Uri _amqp;
    private readonly Uri _management;
    private readonly HttpClient _http;

    private TestInfrastructure(string postgresAdmin, Uri amqp, Uri management, string source)
    {
        var admin = new NpgsqlConnectionStringBuilder(postgresAdmin);
        admin.Database ??= "postgres";
        _postgresAdmin = admin.ConnectionString;
        // Server-level work (CREATE/DROP DATABASE) happens from the maintenance database, unpooled: an idle
        // pooled connection there would hold one of the slots every fixture's own pool competes for.
        _maintenance = new NpgsqlConnectionStringBuilder(_postgresAdmin) { Pooling = false }.ConnectionString;
        _amqp = amqp;
        _management = management;
        Source = source;
        _http = new HttpClient { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(30) };
        var userInfo = Uri.UnescapeDataString(management.UserInfo);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)));
    }

    /// <summary>Where the servers came from, for test output.</summary>
    public string Source { get; }

    /// <summary>A per-process run id, part of every database and virtual host name.</summary>
    public static string RunId { get; } = $"{DateTime.UtcNow:MMddHHmmss}_{Environment.ProcessId}";

    public static Task<TestInfrastructure> GetAsync() => Shared.Value;

    /// <summary>
    /// Connection pools of a test database: at most this many connections each (no test makes more than
    /// about a dozen calls at once). Every fixture's service keeps its own pool, and the server is shared
    /// by parallel test processes and other runs on the machine; with Npgsql's default of 100 per pool a
    /// few busy fixtures could take all of max_connections, and CREATE/DROP DATABASE then find no slot (53300).
    /// </summary>
    public const int MaxPoolSize = 20;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = TestResourceNames.Database(purpose);
        await ServerCommandAsync($"CREATE DATABASE \"{name}\"");
        return new NpgsqlConnectionStringBuilder(_postgresAdmin)
        {
            Database = name,
            MaxPoolSize = MaxPoolSize,
            // Idle connections of a busy moment go back soon instead of holding slots for the default 300 s.
            ConnectionIdleLifetime = 10,
            // A pool at its maximum under load waits for a connection rather than failing a test.
            Timeout = 60,
        }.ConnectionString;
    }

    /// <summary>
    /// Creates an empty database (<see cref="CreateDatabaseAsync"/>) that is dropped when the returned
    /// <see cref="TemporaryDatabase"/> is disposed: <c>await using var database = await infrastructure.TemporaryDatabaseAsync("purpose");</c>.
    /// </summary>
    public async Task<TemporaryDatabase> TemporaryDatabaseAsync(string purpose) => new(this, await CreateDatabaseAsync(purpose));

    /// <summary>
    /// Drops a test database. A failure is logged (with its SQLSTATE), never thrown: the tests are over,
    /// and a later run's <see cref="SweepLeftoversAsync"/> removes what is left.
    /// </summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        if (new NpgsqlConnectionStringBuilder(connectionString).Database is not { } name)
        {
            return;
        }

        await TestCleanup.TryAsync($"DROP DATABASE {name}", async () =>
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
            await DropAsync(name);
        });
    }

    private async Task DropAsync(string name)
    {
        try
        {
            await ServerCommandAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
        catch (InvalidOperationException ex) when (ex.InnerException is PostgresException { SqlState: "42501" })
        {
            // WITH (FORCE) refuses a role that is not superuser when an autovacuum worker is in the
            // database ("must be a member of the role whose process is being terminated", PostgreSQL 15):
            // likely after a test wrote many rows, on a busy machine. A plain DROP stops autovacuum itself;
            // our own sessions we end first.
            await ServerCommandAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND usename = current_user AND pid <> pg_backend_pid()");
            await ServerCommandAsync($"DROP DATABASE IF EXISTS \"{name}\"");
        }
    }

    /// <summary>
    /// CREATE or DROP DATABASE from the maintenance database. Test projects run in parallel and create and
    /// drop databases at the same moments; PostgreSQL refuses some of those races (template1 in use while
    /// copied, a catalog row updated concurrently, every connection slot taken for a while), and a loaded
    /// machine answers late (a transient timeout); those are tried again with a growing pause, and a final
    /// refusal names its SQLSTATE.
    /// </summary>
    private async Task ServerCommandAsync(string sql)
    {
        const int attempts = 12;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_maintenance);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (NpgsqlException ex) when (attempt < attempts && (ex is PostgresException pg
                ? pg.SqlState is "55006" or "53300" or "40P01" or "XX000" or "57P03"
                : ex.IsTransient))
            {
                // 0.25, 0.5, 1, 2, 4, then 5 s: about 40 s in all, longer than a busy moment lasts.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 * (1 << Math.Min(attempt - 1, 5)), 5000)));
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException($"{sql} failed: {ex.SqlState} {ex.MessageText}", ex);
            }
        }
    }

    /// <summary>Creates an empty virtual host and returns the amqp:// URI that reaches it.</summary>
    public async Task<string> CreateVirtualHostAsync(string purpose)
    {
        var vhost = TestResourceNames.VirtualHost(purpose);
        // A container's management plugin may still be starting when the broker already accepts AMQP.
        await Eventually.TrueAsync(async () => (await _http.PutAsync($"/api/vhosts/{Uri.EscapeDataString(vhost)}", null)).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), $"RabbitMQ's management API at {_http.BaseAddress} to create a virtual host");
        var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        var user = Uri.UnescapeDataString(_amqp.UserInfo.Split(':')[0]);
        (await _http.PutAsync($"/api/permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(user)}", permissions)).EnsureSuccessStatusCode();
        return new UriBuilder(_amqp) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri.ToString();
    }

    /// <summary>Deletes a test virtual host; like <see cref="DropDatabaseAsync"/>, a failure is logged, not thrown.</summary>
    public async Task DeleteVirtualHostAsync(string amqpUri)
    {
        var vhost = Uri.UnescapeDataString(new Uri(amqpUri).AbsolutePath.TrimStart('/'));
        await TestCleanup.TryAsync($"delete virtual host {vhost}", () => DeleteVirtualHostByNameAsync(vhost));
    }

    private async Task DeleteVirtualHostByNameAsync(string vhost)
    {
        using var response = await _http.DeleteAsync($"/api/vhosts/{Uri.EscapeDataString(vhost)}");
        if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Removes the test databases and virtual hosts of earlier runs that are over (see
    /// <see cref="TestResourceNames.IsLeftover"/>): a run killed mid-way, or a cleanup that failed. Test
    /// processes run in parallel, so names of live runs are left alone. Failures are logged, not thrown.
    /// </summary>
    public async Task SweepLeftoversAsync()
    {
        var host = new NpgsqlConnectionStringBuilder(_postgresAdmin).Host ?? "";
        // On a server elsewhere, pids in names are another machine's: there only age tells.
        var pidsAreOurs = host is "localhost" or "127.0.0.1" or "::1" || host.StartsWith('/');
        var now = DateTime.UtcNow;
        bool Leftover(string name) => TestResourceNames.IsLeftover(name, now, TestResourceNames.ProcessStartUtc, pidsAreOurs);

        await TestCleanup.TryAsync("list leftover test databases", async () =>
        {
            var databases = new List<string>();
            await using (var connection = new NpgsqlConnection(_maintenance))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(@"SELECT datname FROM pg_database WHERE datname LIKE 't\_%' AND pg_get_userbyid(datdba) = current_user", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    databases.Add(reader.GetString(0));
                }
            }

            foreach (var name in databases.Where(Leftover))
            {
                await TestCleanup.TryAsync($"DROP DATABASE {name} (leftover)", () => DropAsync(name));
            }
        });

        await TestCleanup.TryAsync("list leftover test virtual hosts", async () =>
        {
            using var json = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync("/api/vhosts?columns=name"));
            var vhosts = json.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString() ?? "").ToList();
            foreach (var vhost in vhosts.Where(v => v.StartsWith("t-", StringComparison.Ordinal)).Where(Leftover))
            {
                await TestCleanup.TryAsync($"delete virtual host {vhost} (leftover)", () => DeleteVirtualHostByNameAsync(vhost));
            }
        });
    }

    /// <summary>Every queue of a virtual host with its type (<c>quorum</c>, <c>classic</c>), as the broker's management API reports them.</summary>
    public async Task<Dictionary<string, string>> QueueTypesAsync(string amqpUri)
    {
        var vhost = Uri.UnescapeDataString(new Uri(amqpUri).AbsolutePath.TrimStart('/'));
        using var json = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync($"/api/queues/{Uri.EscapeDataString(vhost)}?columns=name,type"));
        return json.RootElement.EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!, q => q.GetProperty("type").GetString()!);
    }

    /// <summary>The number of messages waiting in a queue of a virtual host (0 when the queue does not exist).</summary>
    public async Task<int> QueueDepthAsync(string amqpUri, string queue)
    {
        var vhost = Uri.UnescapeDataString(new Uri(amqpUri).AbsolutePath.TrimStart('/'));
        var response = await _http.GetAsync($"/api/queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return 0;
        }

        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == System.Text.Json.JsonValueKind.Number
            ? messages.GetInt32()
            : 0;
    }

    /// <summary>
    /// The headers of the first message waiting in a queue (or of the first with the AMQP message id
    /// <paramref name="messageId"/> among the first 100), read through the management API and left in
    /// the queue; null when there is none.
    /// </summary>
    public async Task<Dictionary<string, string>?> PeekHeadersAsync(string amqpUri, string queue, Guid? messageId = null)
    {
        var vhost = Uri.UnescapeDataString(new Uri(amqpUri).AbsolutePath.TrimStart('/'));
        var count = messageId is null ? 1 : 100;
        var body = new StringContent($$"""{"count":{{count}},"ackmode":"ack_requeue_true","encoding":"auto","truncate":50000}""", Encoding.UTF8, "application/json");
        var response = await _http.PostAsync($"/api/queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}/get", body);
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        foreach (var message in json.RootElement.EnumerateArray())
        {
            var properties = message.GetProperty("properties");
            if (messageId is not null
                && !(properties.TryGetProperty("message_id", out var id) && Guid.TryParse(id.GetString(), out var found) && found == messageId))
            {
                continue;
            }

            var headers = new Dictionary<string, string>();
            if (properties.TryGetProperty("headers", out var h))
            {
                foreach (var header in h.EnumerateObject())
                {
                    headers[header.Name] = header.Value.ToString();
                }
            }

            return headers;
        }

        return null;
    }

    private static async Task<TestInfrastructure> StartAsync()
    {
        if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not null)
        {
            return await StartContainersAsync();
        }

        var postgres = Environment.GetEnvironmentVariable("REGISTRY_TEST_POSTGRES");
        var amqp = Environment.GetEnvironmentVariable("REGISTRY_TEST_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("REGISTRY_TEST_RABBITMQ_MANAGEMENT");
        if (!string.IsNullOrWhiteSpace(postgres) && !string.IsNullOrWhiteSpace(amqp) && !string.IsNullOrWhiteSpace(management))
        {
            var local = new TestInfrastructure(postgres, new Uri(amqp), new Uri(management), "local servers (REGISTRY_TEST_* variables)");
            // Shared, long-lived servers: what earlier runs left behind accumulates there.
            await local.SweepLeftoversAsync();
            return local;
        }

        throw new InvalidOperationException(
            "The tests need real PostgreSQL and RabbitMQ, and found neither a Docker engine (for Testcontainers) nor " +
            "REGISTRY_TEST_POSTGRES, REGISTRY_TEST_RABBITMQ and REGISTRY_TEST_RABBITMQ_MANAGEMENT. Either start Docker, or run " +
            "`eval \"$(sudo bash deploy/local-servers.sh)\"` (installs and starts both on Debian/Ubuntu) and test again; " +
            "`bash tools/test.sh` does all of this.");
    }

    private static async Task<TestInfrastructure> StartContainersAsync()
    {
        var postgres = new PostgreSqlBuilder("postgres:17-alpine")
            .WithUsername(User).WithPassword(Password).WithDatabase("postgres")
            .Build();
        var rabbit = new RabbitMqBuilder("rabbitmq:4-management-alpine")
            .WithUsername(User).WithPassword(Password)
            .WithPortBinding(15672, true)
            .Build();
        await Task.WhenAll(postgres.StartAsync(), rabbit.StartAsync());
        // Containers are removed by Testcontainers' resource reaper when the test process ends.
        var amqp = new UriBuilder("amqp", rabbit.Hostname, rabbit.GetMappedPublicPort(5672)) { UserName = User, Password = Password, Path = "/" }.Uri;
        var management = new UriBuilder("http", rabbit.Hostname, rabbit.GetMappedPublicPort(15672)) { UserName = User, Password = Password }.Uri;
        return new TestInfrastructure(postgres.GetConnectionString(), amqp, management, "Testcontainers");
    }
}
