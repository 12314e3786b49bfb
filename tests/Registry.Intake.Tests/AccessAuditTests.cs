using System.Security.Claims;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.Intake.Data;
using Registry.Protos.Audit.V1;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Security.Audit;
using AccessEvent = Registry.ServiceDefaults.Security.AccessEvent;

namespace Registry.Intake.Tests;

/// <summary>
/// Intake's access audit on PostgreSQL: what the sink records is listed by case, agency and time range, in
/// (occurred_at, id) order and paged; concurrent records share transactions (group commit); the database itself
/// refuses to change or remove a row; bad input is INVALID_ARGUMENT and stores nothing.
/// </summary>
public sealed class AccessAuditTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private AccessAuditService.AccessAuditServiceClient Audit => new(intake.Service.Channel);

    private AccessAuditWriter<IntakeDbContext> Writer => intake.Service.Services.GetRequiredService<AccessAuditWriter<IntakeDbContext>>();

    [Fact]
    public async Task Recorded_events_are_listed_by_case_by_agency_and_by_time_range_in_order_across_pages()
    {
        var (caseA, caseB, agency) = (Guid.NewGuid(), Guid.NewGuid(), "UA-" + Guid.NewGuid().ToString("N")[..8]);
        // Recorded out of time order: the listing orders by occurred_at, then id.
        int[] minutes = [5, 1, 3, 1, 4, 2];
        foreach (var m in minutes)
        {
            await Writer.RecordAsync(Event(T0.AddMinutes(m), [caseA], agency, $"m{m}"), default);
        }

        await Writer.RecordAsync(Event(T0.AddMinutes(2.5), [caseB, caseA], "UA-OTHER", "both"), default);
        await Writer.RecordAsync(Event(T0.AddMinutes(2.5), [caseB], agency, "only-b"), default);

        var byCase = await ListAllAsync(new ListAccessEventsRequest { CaseId = caseA.ToString(), PageSize = 2 });
        Assert.Equal(["m1", "m1", "m2", "both", "m3", "m4", "m5"], byCase.Select(e => e.Reason));
        Assert.True(byCase.Zip(byCase.Skip(1)).All(p => p.First.OccurredAt < p.Second.OccurredAt
            || (p.First.OccurredAt == p.Second.OccurredAt && p.First.Id < p.Second.Id)));
        Assert.All(byCase, e => Assert.Equal("intake", e.Service));
        Assert.Contains(caseA.ToString(), byCase.Single(e => e.Reason == "both").CaseIds);
        // "By case" is array containment, which the GIN index on case_ids answers (not "= ANY", which it cannot).
        var sql = await intake.QueryAsync(db => Task.FromResult(new AccessEventQuery(caseA, null, null, null).Apply(db).ToQueryString()));
        Assert.Contains("<@ a.case_ids", sql);

        var byAgency = await ListAllAsync(new ListAccessEventsRequest { Agency = agency, PageSize = 3 });
        Assert.Equal(["m1", "m1", "m2", "only-b", "m3", "m4", "m5"], byAgency.Select(e => e.Reason));

        // Half-open [from, to): minute 2 in, minute 4 out.
        var range = await ListAllAsync(new ListAccessEventsRequest
        {
            Agency = agency, From = Timestamp.FromDateTimeOffset(T0.AddMinutes(2)), To = Timestamp.FromDateTimeOffset(T0.AddMinutes(4)), PageSize = 1,
        });
        Assert.Equal(["m2", "only-b", "m3"], range.Select(e => e.Reason));

        var stored = byCase.Single(e => e.Reason == "m4");
        Assert.Equal(("registry.intake.v1.IntakeService/GetCase", "client-" + agency, agency, "custodian,medic", "PERMISSION_DENIED", "medical", "0af7651916cd43dd8448eb211c80319c", ""),
            (stored.Method, stored.ClientId, stored.Agency, stored.Roles, stored.Outcome, stored.Withheld, stored.TraceId, stored.DecidedBy));
        Assert.Equal(T0.AddMinutes(4), stored.OccurredAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task Concurrent_records_are_committed_together_in_fewer_transactions_than_calls()
    {
        var agency = "UA-" + Guid.NewGuid().ToString("N")[..8];
        var (batchesBefore, eventsBefore) = (Writer.BatchesCommitted, Writer.EventsCommitted);

        const int calls = 40;
        var ids = await Task.WhenAll(Enumerable.Range(0, calls).Select(i =>
            Task.Run(() => Writer.RecordAndGetIdAsync(Event(T0.AddSeconds(i), [Guid.NewGuid()], agency, $"c{i}"), default))));

        // Every call returned only once its row was committed: all are there, each with its own id.
        Assert.Equal(calls, ids.Distinct().Count());
        Assert.Equal(calls, await intake.QueryAsync(db => db.AccessEvents.CountAsync(e => e.Agency == agency)));
        Assert.Equal(calls, Writer.EventsCommitted - eventsBefore);
        var batches = Writer.BatchesCommitted - batchesBefore;
        Assert.InRange(batches, 1, calls - 1);
    }

    [Fact]
    public async Task PostgreSQL_refuses_to_update_delete_or_truncate_access_events()
    {
        var agency = "UA-" + Guid.NewGuid().ToString("N")[..8];
        var id = await Writer.RecordAndGetIdAsync(Event(T0, [Guid.NewGuid()], agency, "original"), default);

        foreach (var sql in new[]
        {
            $"UPDATE access_events SET reason = 'rewritten' WHERE id = {id}",
            $"DELETE FROM access_events WHERE id = {id}",
            "TRUNCATE access_events",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => intake.QueryAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
            Assert.Contains("access_events is append-only", refused.MessageText);
        }

        var row = await intake.QueryAsync(db => db.AccessEvents.SingleAsync(e => e.Id == id));
        Assert.Equal("original", row.Reason);
    }

    [Fact]
    public async Task Bad_filters_are_invalid_argument_naming_each_field()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Audit.ListAccessEventsAsync(new ListAccessEventsRequest
        {
            CaseId = "not-a-uuid",
            From = Timestamp.FromDateTimeOffset(T0.AddHours(1)),
            To = Timestamp.FromDateTimeOffset(T0),
            PageSize = 10,
            PageToken = "forged",
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["case_id", "page_token", "to"], Fields(error));

        var tooBig = await Assert.ThrowsAsync<RpcException>(() => Audit.ListAccessEventsAsync(new ListAccessEventsRequest { PageSize = 501 }).ResponseAsync);
        Assert.Equal(["page_size"], Fields(tooBig));

        // A token of another filter is refused too.
        var agency = "UA-" + Guid.NewGuid().ToString("N")[..8];
        await Writer.RecordAsync(Event(T0, [], agency, "a"), default);
        await Writer.RecordAsync(Event(T0.AddSeconds(1), [], agency, "b"), default);
        var first = await Audit.ListAccessEventsAsync(new ListAccessEventsRequest { Agency = agency, PageSize = 1 });
        var other = await Assert.ThrowsAsync<RpcException>(() => Audit.ListAccessEventsAsync(
            new ListAccessEventsRequest { Agency = "UA-OTHER", PageSize = 1, PageToken = first.NextPageToken }).ResponseAsync);
        Assert.Equal(["page_token"], Fields(other));
    }

    [Fact]
    public async Task A_refusal_the_gateway_reports_is_recorded_as_decided_by_the_gateway()
    {
        var caseId = Guid.NewGuid();
        // The refused caller's own token comes along (the gateway forwards it): a partner the table denies registering.
        var partner = new AccessAuditService.AccessAuditServiceClient(intake.Service.As("KR-NIS", RegistryRoles.Partner));
        var reported = await partner.ReportRefusalAsync(new ReportRefusalRequest
        {
            Method = "registry.intake.v1.IntakeService/RegisterCapture",
            StatusCode = "PERMISSION_DENIED",
            Reason = "role partner may not call RegisterCapture",
            CaseIds = { caseId.ToString() },
        });

        var listed = Assert.Single((await Audit.ListAccessEventsAsync(new ListAccessEventsRequest { CaseId = caseId.ToString(), PageSize = 10 })).Events);
        Assert.Equal(reported.EventId, listed.Id);
        Assert.Equal(("registry.intake.v1.IntakeService/RegisterCapture", "PERMISSION_DENIED", "role partner may not call RegisterCapture", "gateway", "intake", "KR-NIS"),
            (listed.Method, listed.Outcome, listed.Reason, listed.DecidedBy, listed.Service, listed.Agency));
    }

    [Fact]
    public async Task A_refusal_report_records_only_what_the_service_verifies()
    {
        var before = await intake.QueryAsync(db => db.AccessEvents.CountAsync());
        var anonymous = new AccessAuditService.AccessAuditServiceClient(intake.Service.RawChannel);
        var coordinator = new AccessAuditService.AccessAuditServiceClient(intake.Service.As("UA-POW-HQ", RegistryRoles.Coordinator));
        var forged = new ReportRefusalRequest
        {
            Method = "registry.intake.v1.IntakeService/GetCase",
            StatusCode = "PERMISSION_DENIED",
            Reason = "ua-sbu-medic tried to read it (forged)",
            CaseIds = { Guid.NewGuid().ToString() },
        };

        // No token: a permission refusal cannot be pinned on anybody.
        var anonymousError = await Assert.ThrowsAsync<RpcException>(() => anonymous.ReportRefusalAsync(forged).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, anonymousError.StatusCode);
        // A caller the table allows has no refusal to report.
        var allowed = forged.Clone();
        allowed.Method = "registry.intake.v1.IntakeService/ListOverdue";
        var allowedError = await Assert.ThrowsAsync<RpcException>(() => coordinator.ReportRefusalAsync(allowed).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, allowedError.StatusCode);
        // Only the refusals the gateway decides, and a few cases at most.
        var flood = forged.Clone();
        flood.StatusCode = "DATA_LOSS";
        flood.CaseIds.AddRange(Enumerable.Range(0, 25).Select(_ => Guid.NewGuid().ToString()));
        var floodError = await Assert.ThrowsAsync<RpcException>(() => coordinator.ReportRefusalAsync(flood).ResponseAsync);
        Assert.Equal(["case_ids", "status_code"], Fields(floodError));
        // Another service's data is that service's to audit: intake records no refusal of a medical RPC.
        var elsewhere = forged.Clone();
        elsewhere.Method = "registry.medical.v1.MedicalService/GetMedicalRecord";
        Assert.Equal(["method"], Fields(await Assert.ThrowsAsync<RpcException>(() => coordinator.ReportRefusalAsync(elsewhere).ResponseAsync)));
        // A caller whose token this service accepts was not refused for want of one.
        var notUnauthenticated = forged.Clone();
        notUnauthenticated.StatusCode = "UNAUTHENTICATED";
        var validError = await Assert.ThrowsAsync<RpcException>(() => coordinator.ReportRefusalAsync(notUnauthenticated).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, validError.StatusCode);
        Assert.Equal(before, await intake.QueryAsync(db => db.AccessEvents.CountAsync()));

        // Without a token only UNAUTHENTICATED can be reported, recorded as anonymous with this service's own reason:
        // the request's text (which could pin the attempt on anybody) is not stored.
        var unauthenticated = forged.Clone();
        unauthenticated.StatusCode = "UNAUTHENTICATED";
        await anonymous.ReportRefusalAsync(unauthenticated);
        var stored = await intake.QueryAsync(db => db.AccessEvents.OrderByDescending(e => e.Id).FirstAsync());
        Assert.Equal(("", "", "UNAUTHENTICATED", "gateway"), (stored.ClientId, stored.Agency, stored.Outcome, stored.DecidedBy));
        Assert.DoesNotContain("forged", stored.Reason);
        Assert.StartsWith("No access token", stored.Reason);
    }

    [Fact]
    public async Task A_bad_refusal_report_is_invalid_argument_and_stores_nothing()
    {
        var before = await intake.QueryAsync(db => db.AccessEvents.CountAsync());
        var error = await Assert.ThrowsAsync<RpcException>(() => Audit.ReportRefusalAsync(new ReportRefusalRequest
        {
            Method = "GetCase",
            StatusCode = "OK",
            CaseIds = { Guid.NewGuid().ToString(), "nope" },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["case_ids[1]", "method", "status_code"], Fields(error));
        Assert.Equal(before, await intake.QueryAsync(db => db.AccessEvents.CountAsync()));
    }

    [Fact]
    public void The_sink_of_a_call_is_found_by_its_module_and_gateway_methods_go_to_intake()
    {
        var scopes = intake.Service.Services.GetRequiredService<IServiceScopeFactory>();
        AccessAuditWriter<IntakeDbContext> Sink(string package, string service) =>
            new(package, service, scopes, NullLogger<AccessAuditWriter<IntakeDbContext>>.Instance);
        var (intakeSink, custodySink, medicalSink) = (Sink("registry.intake.v1", "intake"), Sink("registry.custody.v1", "custody"), Sink("registry.medical.v1", "medical"));

        var all = new AccessAuditSinks([intakeSink, custodySink, medicalSink]);
        Assert.Same(intakeSink, all.For("/registry.intake.v1.IntakeService/GetCase"));
        Assert.Same(custodySink, all.For("/registry.custody.v1.CustodyService/AdmitToFacility"));
        Assert.Same(medicalSink, all.For("registry.medical.v1.MedicalService/GetMedicalRecord"));
        Assert.Same(intakeSink, all.For("/registry.gateway.v1.CaseFileService/GetCaseFile"));
        Assert.Same(custodySink, all.ForPackage("registry.custody.v1"));
        // The audit service is served by every module: only its endpoint says which (For(ServerCallContext)).
        Assert.Null(all.For("/registry.audit.v1.AccessAuditService/ReportRefusal"));
        Assert.Null(all.For("/grpc.health.v1.Health/Check"));

        var custodyOnly = new AccessAuditSinks([custodySink]);
        Assert.Null(custodyOnly.For("/registry.gateway.v1.CaseFileService/GetCaseFile"));
        Assert.Same(custodySink, custodyOnly.For("/registry.audit.v1.AccessAuditService/ReportRefusal"));

        // The running service registered exactly its own sink.
        var registered = Assert.Single(intake.Service.Services.GetServices<IAccessAuditSink>());
        Assert.Equal(("registry.intake.v1", "intake"), (registered.Package, registered.Service));
    }

    [Fact]
    public void The_caller_recorded_is_the_authenticated_principal_never_a_guess()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(RegistryClaims.ClientId, "ua-sbu-medic"),
            new Claim(RegistryClaims.Agency, "UA-SBU"),
            new Claim(RegistryClaims.Role, RegistryRoles.Medic),
            new Claim(RegistryClaims.Role, RegistryRoles.Custodian),
        ], authenticationType: "Bearer"));
        Assert.Equal(new AccessCaller("ua-sbu-medic", "UA-SBU", "custodian,medic"), AccessCaller.From(principal));

        var unauthenticated = new ClaimsPrincipal(new ClaimsIdentity([new Claim(RegistryClaims.Agency, "UA-SBU")]));
        Assert.Equal(AccessCaller.Anonymous, AccessCaller.From(unauthenticated));
    }

    private async Task<List<Registry.Protos.Audit.V1.AccessEvent>> ListAllAsync(ListAccessEventsRequest request)
    {
        var events = new List<Registry.Protos.Audit.V1.AccessEvent>();
        for (var pages = 0; pages < 50; pages++)
        {
            var page = await Audit.ListAccessEventsAsync(request);
            Assert.True(page.Events.Count <= request.PageSize);
            // The listing calls are audited too (they name the case); the events written here are the others.
            events.AddRange(page.Events.Where(e => !e.Method.EndsWith("/ListAccessEvents", StringComparison.Ordinal)));
            if (page.NextPageToken.Length == 0)
            {
                return events;
            }

            request = request.Clone();
            request.PageToken = page.NextPageToken;
        }

        throw new Xunit.Sdk.XunitException("The listing did not end.");
    }

    internal static AccessEvent Event(DateTimeOffset at, Guid[] cases, string agency, string reason) => new()
    {
        OccurredAt = at,
        Service = "intake",
        Method = "registry.intake.v1.IntakeService/GetCase",
        CaseIds = cases,
        ClientId = "client-" + agency,
        Agency = agency,
        Roles = "custodian,medic",
        Outcome = "PERMISSION_DENIED",
        Reason = reason,
        Withheld = "medical",
        TraceId = "0af7651916cd43dd8448eb211c80319c",
    };

    private static List<string> Fields(RpcException error) =>
        [.. (error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field) ?? []).Order(StringComparer.Ordinal)];
}
