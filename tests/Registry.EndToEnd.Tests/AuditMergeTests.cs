using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using Registry.Protos.Gateway.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The auditor's one question through the gateway: the access events of intake, custody and medical, each in its
/// own database, merged into one order (occurred_at, service, id) across pages; all or nothing.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class AuditMergeTests(RegistryFixture registry)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private AuditService.AuditServiceClient Audit => new(registry.GatewayChannel);

    [Fact]
    public async Task The_gateway_merges_the_three_services_audits_in_time_order_across_pages()
    {
        var (agency, caseId) = ("UA-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid());
        // Interleaved instants, ties within a service and across services.
        (string Service, string Database, int Minute)[] written =
        [
            ("intake", registry.IntakeDatabase, 7), ("intake", registry.IntakeDatabase, 1), ("intake", registry.IntakeDatabase, 4), ("intake", registry.IntakeDatabase, 4),
            ("custody", registry.CustodyDatabase, 5), ("custody", registry.CustodyDatabase, 2), ("custody", registry.CustodyDatabase, 4),
            ("medical", registry.MedicalDatabase, 8), ("medical", registry.MedicalDatabase, 3), ("medical", registry.MedicalDatabase, 4), ("medical", registry.MedicalDatabase, 6),
        ];
        var ids = new List<(string Service, int Minute, long Id)>();
        foreach (var (service, database, minute) in written)
        {
            ids.Add((service, minute, await InsertAsync(database, service, T0.AddMinutes(minute), agency, caseId)));
        }

        var expected = ids.OrderBy(e => e.Minute).ThenBy(e => e.Service, StringComparer.Ordinal).ThenBy(e => e.Id)
            .Select(e => $"{e.Minute}:{e.Service}:{e.Id}").ToList();
        Assert.Equal(["1:intake", "2:custody", "3:medical", "4:custody", "4:intake", "4:intake", "4:medical", "5:custody", "6:medical", "7:intake", "8:medical"],
            expected.Select(e => string.Join(':', e.Split(':')[..2])));

        foreach (var pageSize in new[] { 2, 3, 100 })
        {
            var (events, pages) = await ListAllAsync(new ListAccessEventsRequest { Agency = agency, PageSize = pageSize });
            Assert.Equal(expected, events.Select(e => $"{(int)(e.OccurredAt.ToDateTimeOffset() - T0).TotalMinutes}:{e.Service}:{e.Id}"));
            Assert.InRange(pages, (int)Math.Ceiling(expected.Count / (double)pageSize), expected.Count / pageSize + 1);
        }

        // The filters reach every service: by case, and a range [3, 6).
        var (byCase, _) = await ListAllAsync(new ListAccessEventsRequest { CaseId = caseId.ToString(), PageSize = 4 });
        Assert.Equal(expected.Count, byCase.Count);
        var (range, _) = await ListAllAsync(new ListAccessEventsRequest
        {
            Agency = agency, From = Timestamp.FromDateTimeOffset(T0.AddMinutes(3)), To = Timestamp.FromDateTimeOffset(T0.AddMinutes(6)), PageSize = 2,
        });
        Assert.Equal(["3:medical", "4:custody", "4:intake", "4:intake", "4:medical", "5:custody"],
            range.Select(e => $"{(int)(e.OccurredAt.ToDateTimeOffset() - T0).TotalMinutes}:{e.Service}"));
    }

    [Fact]
    public async Task Each_services_database_refuses_to_change_its_access_events()
    {
        foreach (var (service, database) in new[] { ("intake", registry.IntakeDatabase), ("custody", registry.CustodyDatabase), ("medical", registry.MedicalDatabase) })
        {
            var id = await InsertAsync(database, service, T0, "UA-TAMPER", Guid.NewGuid());
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            foreach (var sql in new[] { $"UPDATE access_events SET agency = 'UA-OTHER' WHERE id = {id}", $"DELETE FROM access_events WHERE id = {id}" })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
                Assert.Contains("access_events is append-only", refused.MessageText);
            }
        }
    }

    [Fact]
    public async Task Bad_filters_through_the_gateway_are_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Audit.ListAccessEventsAsync(
            new ListAccessEventsRequest { CaseId = "nope", PageSize = 10, PageToken = "forged" }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["case_id", "page_token"],
            error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_service_that_does_not_answer_fails_the_audit_as_unavailable_naming_it()
    {
        await using var gateway = await registry.StartGatewayWithoutMedicalAsync();
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);

        var error = await Assert.ThrowsAsync<RpcException>(() => new AuditService.AuditServiceClient(TestCallers.As(channel, "UA-OMBUDSMAN", RegistryRoles.Auditor))
            .ListAccessEventsAsync(new ListAccessEventsRequest { PageSize = 10 }, deadline: RegistryFixture.CallDeadline).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("access audit of medical", error.Status.Detail);
    }

    private async Task<(List<Protos.Audit.V1.AccessEvent> Events, int Pages)> ListAllAsync(ListAccessEventsRequest request)
    {
        var events = new List<Protos.Audit.V1.AccessEvent>();
        for (var pages = 1; pages <= 50; pages++)
        {
            var page = await Audit.ListAccessEventsAsync(request, deadline: RegistryFixture.CallDeadline);
            Assert.True(page.Events.Count <= request.PageSize);
            // The listing calls are audited too (each service records the read, naming the case asked for).
            events.AddRange(page.Events.Where(e => !e.Method.EndsWith("/ListAccessEvents", StringComparison.Ordinal)));
            if (page.NextPageToken.Length == 0)
            {
                return (events, pages);
            }

            request = request.Clone();
            request.PageToken = page.NextPageToken;
        }

        throw new Xunit.Sdk.XunitException("The listing did not end.");
    }

    /// <summary>An event as a service's audit writer stores it (written here directly to set its instant).</summary>
    private static async Task<long> InsertAsync(string database, string service, DateTimeOffset at, string agency, Guid caseId)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO access_events (occurred_at, service, method, case_ids, client_id, agency, roles, outcome, reason, withheld, trace_id, decided_by) " +
            "VALUES (@at, @service, 'registry.intake.v1.IntakeService/GetCase', @cases, 'e2e', @agency, 'auditor', 'OK', '', '', '', '') RETURNING id",
            connection);
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("service", service);
        command.Parameters.AddWithValue("cases", new[] { caseId });
        command.Parameters.AddWithValue("agency", agency);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
