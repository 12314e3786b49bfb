using Microsoft.Extensions.DependencyInjection;
using Registry.Intake.Data;
using Registry.Intake.Data.Sqlite;
using Registry.Protos.Audit.V1;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.Intake.Tests;

/// <summary>The access audit on SQLite, the embedded mode's store: the same sink, filters and paging.</summary>
public sealed class AccessAuditOnSqliteTests(IntakeOnSqliteFixture intake) : IClassFixture<IntakeOnSqliteFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Events_are_recorded_and_listed_by_case_agency_and_time_on_sqlite()
    {
        Assert.IsType<SqliteIntakeDbContext>(await intake.QueryAsync(db => Task.FromResult(db)));
        var writer = intake.Service.Services.GetRequiredService<AccessAuditWriter<IntakeDbContext>>();
        // An auditor of another agency: its own listing calls are audited too, under its agency.
        var audit = new AccessAuditService.AccessAuditServiceClient(intake.Service.As("UA-OMBUDSMAN", Registry.ServiceDefaults.Security.RegistryRoles.Auditor));
        var (caseA, caseB) = (Guid.NewGuid(), Guid.NewGuid());

        await Task.WhenAll(
            writer.RecordAsync(AccessAuditTests.Event(T0.AddMinutes(3), [caseA], "UA-SSO", "a3"), default),
            writer.RecordAsync(AccessAuditTests.Event(T0.AddMinutes(1), [caseB, caseA], "UA-SBU", "a1"), default),
            writer.RecordAsync(AccessAuditTests.Event(T0.AddMinutes(2), [caseB], "UA-SSO", "b2"), default));

        var byCase = await audit.ListAccessEventsAsync(new ListAccessEventsRequest { CaseId = caseA.ToString(), PageSize = 1 });
        Assert.Equal("a1", Assert.Single(byCase.Events).Reason);
        var next = await audit.ListAccessEventsAsync(new ListAccessEventsRequest { CaseId = caseA.ToString(), PageSize = 1, PageToken = byCase.NextPageToken });
        Assert.Equal("a3", Assert.Single(next.Events).Reason);

        var byAgency = await audit.ListAccessEventsAsync(new ListAccessEventsRequest { Agency = "UA-SSO", PageSize = 10 });
        Assert.Equal(["b2", "a3"], byAgency.Events.Select(e => e.Reason));

        var range = await audit.ListAccessEventsAsync(new ListAccessEventsRequest
        {
            From = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(T0.AddMinutes(1)),
            To = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(T0.AddMinutes(3)),
            PageSize = 10,
        });
        Assert.Equal(["a1", "b2"], range.Events.Select(e => e.Reason));
    }
}
