using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;

using Registry.ServiceDefaults.Security;

namespace Registry.Testing;

/// <summary>
/// A unary gRPC call written by hand (HTTP/2, a length-prefixed protobuf body, headers as given), for
/// what Grpc.Net.Client never sends: a <c>grpc-timeout</c> that is malformed, zero or absurd.
/// </summary>
public static class RawGrpc
{
    /// <summary>How a call ended: its gRPC status (null if the test's guard ran out first), message, time taken.</summary>
    public sealed record Outcome(StatusCode? Status, string Message, TimeSpan Elapsed)
    {
        public override string ToString() => $"{Status?.ToString() ?? "no answer"} after {Elapsed.TotalSeconds:0.0} s: {Message}";
    }

    /// <summary>Calls <paramref name="path"/> (<c>/package.Service/Method</c>) with <paramref name="grpcTimeout"/> as sent, waiting at most <paramref name="guard"/>.</summary>
    public static async Task<Outcome> UnaryAsync(HttpMessageInvoker http, Uri address, string path, IMessage request, string? grpcTimeout, TimeSpan guard)
    {
        var payload = request.ToByteArray();
        var body = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(body, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        // As an operator holding every role (TestCallers.Operator), so the call reaches what the test is about.
        var token = await (await TestAuthority.GetAsync()).TokenAsync(TestCallers.DefaultAgency, RegistryRoles.All);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        message.Headers.TryAddWithoutValidation("te", "trailers");
        if (grpcTimeout is not null)
        {
            message.Headers.TryAddWithoutValidation("grpc-timeout", grpcTimeout);
        }

        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(guard);
        try
        {
            using var response = await http.SendAsync(message, timeout.Token);
            await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
            var text = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? "";
            return new Outcome(
                status is null ? null : (StatusCode)int.Parse(status),
                status is null ? $"HTTP {(int)response.StatusCode} without grpc-status" : Uri.UnescapeDataString(text),
                clock.Elapsed);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new Outcome(null, $"no answer within the test's guard of {guard.TotalSeconds:0} s", clock.Elapsed);
        }
        catch (Exception ex) when (ResetCode(ex) is { } code)
        {
            // gRPC over HTTP/2: RST_STREAM CANCEL is CANCELLED, REFUSED_STREAM UNAVAILABLE, the rest INTERNAL.
            var status = code switch { 8 => StatusCode.Cancelled, 7 => StatusCode.Unavailable, _ => StatusCode.Internal };
            return new Outcome(status, $"the stream was reset (HTTP/2 error code {code})", clock.Elapsed);
        }
    }

    private static long? ResetCode(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case HttpProtocolException protocol:
                    return protocol.ErrorCode;
                case Microsoft.AspNetCore.TestHost.HttpResetTestException reset:
                    return reset.ErrorCode;
            }
        }

        return null;
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>
    /// Holds <c>LOCK TABLE {table} IN {mode} MODE</c> in a transaction until disposed. ACCESS EXCLUSIVE (the default):
    /// every query touching the table waits, as behind a long migration or a stuck writer; SHARE: writers wait, readers
    /// go on (a writer held between its reads and its writes).
    /// </summary>
    public static async Task<TableLock> LockAsync(string connectionString, string table, string mode = "ACCESS EXCLUSIVE")
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"LOCK TABLE {table} IN {mode} MODE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new TableLock(connection, transaction);
    }

    public sealed class TableLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        /// <summary>
        /// Sessions of the database waiting on a lock, now. PostgreSQL keeps one snapshot of pg_stat_activity per
        /// transaction, and this asks inside the transaction that holds the lock: without clearing it, every later
        /// poll repeats the first answer (a first poll made before the calls reached the lock would say 0 for ever).
        /// </summary>
        public async Task<long> WaitingSessionsAsync()
        {
            await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection, transaction))
            {
                await clear.ExecuteNonQueryAsync();
            }

            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
                connection, transaction);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        private bool released;

        /// <summary>The statements of the sessions waiting on a lock now (as <see cref="WaitingSessionsAsync"/> counts them).</summary>
        public async Task<List<string>> WaitingStatementsAsync()
        {
            await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection, transaction))
            {
                await clear.ExecuteNonQueryAsync();
            }

            await using var command = new NpgsqlCommand(
                "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
                connection, transaction);
            var statements = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                statements.Add(reader.GetString(0));
            }

            return statements;
        }

        /// <summary>Releases the lock (its transaction rolled back); again, nothing.</summary>
        public async ValueTask DisposeAsync()
        {
            if (released)
            {
                return;
            }

            released = true;
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }
}
