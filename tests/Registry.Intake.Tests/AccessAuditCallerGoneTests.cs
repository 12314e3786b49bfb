using Grpc.Core;
using Npgsql;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// A call whose caller has gone (its deadline passed) before its access audit row was committed is audited with the
/// outcome the caller saw, DEADLINE_EXCEEDED, not the OK (or the error) its handler ended with: in place of it when the writer
/// had not taken it yet, after it when it had. Its own service and database, since it holds access_events locked.
/// </summary>
public sealed class AccessAuditCallerGoneTests
{
    [Fact]
    public async Task A_call_whose_deadline_passes_while_its_audit_waits_is_audited_deadline_exceeded_not_ok() => await WithOwnIntakeAsync(async (service, database) =>
    {
        var client = new IntakeService.IntakeServiceClient(service.Channel);
        var inFlight = (await client.RegisterCaptureAsync(Requests.Rifleman())).Case.CaseId;
        var queued = (await client.RegisterCaptureAsync(Requests.SniperInFull())).Case.CaseId;

        // An INSERT waits while access_events is held in SHARE mode (it needs ROW EXCLUSIVE).
        await using var holder = new NpgsqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE access_events IN SHARE MODE", holder, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        // The first read's event is taken by the writer, whose INSERT then waits on the lock; the second's waits in the
        // queue behind that batch, and is replaced there by what its caller saw. Both callers' deadlines pass meanwhile.
        var first = client.GetCaseAsync(new GetCaseRequest { CaseId = inFlight }, deadline: DateTime.UtcNow.AddSeconds(4)).ResponseAsync;
        await WaitForBlockedInsertAsync(database.ConnectionString);
        var second = client.GetCaseAsync(new GetCaseRequest { CaseId = queued }, deadline: DateTime.UtcNow.AddSeconds(4)).ResponseAsync;
        // An error answer waits for its row as an OK does: NOT_FOUND, never delivered.
        var missing = Guid.NewGuid().ToString();
        var third = client.GetCaseAsync(new GetCaseRequest { CaseId = missing }, deadline: DateTime.UtcNow.AddSeconds(4)).ResponseAsync;
        foreach (var call in new[] { first, second, third })
        {
            // At the deadline grpc-dotnet resets the call's stream (CANCEL, code 8) once the handler ends; the in-memory test
            // server hands that reset to the client as INTERNAL when it comes before the client's own deadline timer.
            var seen = await Assert.ThrowsAsync<RpcException>(() => call);
            Assert.True(seen.StatusCode == StatusCode.DeadlineExceeded || seen.Status.DebugException?.Message.Contains("error code 8") == true,
                seen.Status.ToString());
        }

        await hold.CommitAsync();

        var audited = await WaitForOutcomesAsync(database.ConnectionString, [inFlight, queued, missing]);
        // Already in flight: its OK row is written, and the outcome its caller saw follows it.
        Assert.Equal(["OK", "DEADLINE_EXCEEDED"], audited[inFlight].Select(r => r.Outcome));
        // Still queued: replaced, so only what its caller saw is there.
        Assert.Equal(["DEADLINE_EXCEEDED"], audited[queued].Select(r => r.Outcome));
        Assert.Equal(["DEADLINE_EXCEEDED"], audited[missing].Select(r => r.Outcome));
        const string Gone = "here, but its deadline (the caller's, or the service's bound) passed before its access was recorded";
        Assert.StartsWith("The call ended OK " + Gone, audited[inFlight][1].Reason);
        Assert.StartsWith("The call ended OK " + Gone, audited[queued][0].Reason);
        Assert.StartsWith("The call ended NOT_FOUND " + Gone, audited[missing][0].Reason);
        Assert.Contains(" The answer: ", audited[missing][0].Reason);
    });

    [Fact]
    public async Task A_handler_stopped_by_its_deadline_is_audited_deadline_exceeded_not_cancelled() => await WithOwnIntakeAsync(async (service, database) =>
    {
        var client = new IntakeService.IntakeServiceClient(service.Channel);
        var caseId = (await client.RegisterCaptureAsync(Requests.Rifleman())).Case.CaseId;

        // The handler's read waits on the lock until the call's token fires and Npgsql cancels it (OperationCanceledException).
        await using var holder = new NpgsqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        await using (var hold = await holder.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE", holder, hold))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            await Assert.ThrowsAsync<RpcException>(() => client.GetCaseAsync(new GetCaseRequest { CaseId = caseId }, deadline: DateTime.UtcNow.AddSeconds(3)).ResponseAsync);
            await hold.CommitAsync();
        }

        var audited = (await WaitForOutcomesAsync(database.ConnectionString, [caseId]))[caseId];
        var row = Assert.Single(audited);
        Assert.Equal("DEADLINE_EXCEEDED", row.Outcome);
        Assert.StartsWith("The call's deadline (the caller's, or the service's bound) passed while it ran", row.Reason);
    });

    /// <summary>An intake service of its own, on its own database and vhost, for a test that holds its tables locked.</summary>
    private static async Task WithOwnIntakeAsync(Func<ServiceFactory<IntakeGrpcService>, TemporaryDatabase, Task> test)
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        await using var database = await infrastructure.TemporaryDatabaseAsync("Intake");
        var broker = await infrastructure.CreateVirtualHostAsync("Intake");
        try
        {
            await using var service = new ServiceFactory<IntakeGrpcService>(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Intake"] = database.ConnectionString,
                ["ConnectionStrings:RabbitMq"] = broker,
            });
            await service.WaitUntilReadyAsync();
            await test(service, database);
        }
        finally
        {
            await infrastructure.DeleteVirtualHostAsync(broker);
        }
    }

    private static async Task WaitForBlockedInsertAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var blocked = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%access_events%'",
            connection);
        for (var tries = 0; tries < 100; tries++)
        {
            if ((long)(await blocked.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException("The audit's INSERT never waited on the lock.");
    }

    /// <summary>GetCase's audit rows of each case, in the order written, once each case has its DEADLINE_EXCEEDED row.</summary>
    private static async Task<Dictionary<string, List<(string Outcome, string Reason)>>> WaitForOutcomesAsync(string connectionString, string[] caseIds)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var tries = 0; ; tries++)
        {
            var rows = caseIds.ToDictionary(c => c, _ => new List<(string, string)>());
            await using (var read = new NpgsqlCommand(
                "SELECT case_ids[1]::text, outcome, reason FROM access_events WHERE method LIKE '%/GetCase' ORDER BY id", connection))
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    if (rows.TryGetValue(reader.GetString(0), out var list))
                    {
                        list.Add((reader.GetString(1), reader.GetString(2)));
                    }
                }
            }

            if (rows.Values.All(r => r.Any(e => e.Item1 == "DEADLINE_EXCEEDED")) || tries == 100)
            {
                return rows;
            }

            await Task.Delay(50);
        }
    }
}
