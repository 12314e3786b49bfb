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
    private readonly Uri _amqp;
    private readonly Uri _management;
    private readonly HttpClient _http;

    private TestInfrastructure(string postgresAdmin, Uri amqp, Uri management, string source)
    {
        // Server-level work (CREATE DATABASE) happens from the maintenance database.
        var admin = new NpgsqlConnectionStringBuilder(postgresAdmin);
        admin.Database ??= "postgres";
        _postgresAdmin = admin.ConnectionString;
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

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"t_{purpose}_{RunId}_{Guid.NewGuid():N}"[..48].ToLowerInvariant();
        await ServerCommandAsync($"CREATE DATABASE \"{name}\"");
        return new NpgsqlConnectionStringBuilder(_postgresAdmin) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        await ServerCommandAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    /// <summary>
    /// CREATE or DROP DATABASE from the maintenance database. Test projects run in parallel and create and
    /// drop databases at the same moments; PostgreSQL refuses some of those races (template1 in use while
    /// copied, a catalog row updated concurrently, every connection slot taken for a moment), so a refusal
    /// of that kind is tried again, and a final one names its SQLSTATE.
    /// </summary>
    private async Task ServerCommandAsync(string sql)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_postgresAdmin);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (attempt < 6 && ex.SqlState is "55006" or "53300" or "40P01" or "XX000")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
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
        var vhost = $"t-{purpose}-{RunId}-{Guid.NewGuid():N}"[..48];
        // A container's management plugin may still be starting when the broker already accepts AMQP.
        await Eventually.TrueAsync(async () => (await _http.PutAsync($"/api/vhosts/{Uri.EscapeDataString(vhost)}", null)).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), $"RabbitMQ's management API at {_http.BaseAddress} to create a virtual host");
        var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        var user = Uri.UnescapeDataString(_amqp.UserInfo.Split(':')[0]);
        (await _http.PutAsync($"/api/permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(user)}", permissions)).EnsureSuccessStatusCode();
        return new UriBuilder(_amqp) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri.ToString();
    }

    public async Task DeleteVirtualHostAsync(string amqpUri)
    {
        var vhost = Uri.UnescapeDataString(new Uri(amqpUri).AbsolutePath.TrimStart('/'));
        await _http.DeleteAsync($"/api/vhosts/{Uri.EscapeDataString(vhost)}");
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
    /// The headers of the first message waiting in a queue, read through the management API and
    /// left in the queue (null when it is empty).
    /// </summary>
    public async Task<Dictionary<string, string>?> PeekHeadersAsync(string amqpUri, string queue)
    {
        var vhost = Uri.UnescapeDataString(new Uri(amqpUri).AbsolutePath.TrimStart('/'));
        var body = new StringContent("""{"count":1,"ackmode":"ack_requeue_true","encoding":"auto","truncate":50000}""", Encoding.UTF8, "application/json");
        var response = await _http.PostAsync($"/api/queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}/get", body);
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (json.RootElement.GetArrayLength() == 0)
        {
            return null;
        }

        var headers = new Dictionary<string, string>();
        if (json.RootElement[0].GetProperty("properties").TryGetProperty("headers", out var h))
        {
            foreach (var header in h.EnumerateObject())
            {
                headers[header.Name] = header.Value.ToString();
            }
        }

        return headers;
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
            return new TestInfrastructure(postgres, new Uri(amqp), new Uri(management), "local servers (REGISTRY_TEST_* variables)");
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
