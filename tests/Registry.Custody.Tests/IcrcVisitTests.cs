using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using Facility = Registry.Protos.Custody.V1.Facility;

namespace Registry.Custody.Tests;

/// <summary>
/// ICRC visits (GC III Art. 126): the delegates, the place, and the persons interviewed in private — only that the
/// interview took place. Recorded by the ICRC in its own name; the access audit names every case of the visit.
/// </summary>
public sealed class IcrcVisitTests(CustodyFixture custody) : IClassFixture<CustodyFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset VisitedAt = new(2025, 2, 3, 10, 0, 0, TimeSpan.Zero);
    private const string Icrc = "ICRC";

    private CustodyService.CustodyServiceClient Delegate(string agency = Icrc) => new(custody.Service.As(agency, RegistryRoles.IcrcDelegate));

    private async Task<Guid> RegisteredAsync()
    {
        var caseId = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = "RC-000002", FamilyName = "리", GivenNames = "정혁", CapturedAt = CapturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the custody record");
        return caseId;
    }

    private static RecordIcrcVisitRequest Visit(DateTimeOffset at, params Guid[] cases)
    {
        var request = new RecordIcrcVisitRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            VisitingAgency = Icrc,
            VisitedAt = Timestamp.FromDateTimeOffset(at),
            Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
        };
        request.Delegates.Add(["A. Muller", "S. Haddad"]);
        request.CaseIds.Add(cases.Select(c => c.ToString()));
        return request;
    }

    private Task<int> VisitsOfAsync(Guid caseId) =>
        custody.QueryAsync(db => db.IcrcVisits.CountAsync(v => v.PrivateInterviews.Any(p => p.CaseId == caseId)));

    [Fact]
    public async Task A_visit_with_two_private_interviews_is_listed_under_both_and_the_audit_names_both()
    {
        var rifleman = await RegisteredAsync();
        var sniper = await RegisteredAsync();

        var response = await Delegate().RecordIcrcVisitAsync(Visit(VisitedAt, rifleman, sniper));

        var visit = response.Visit;
        Assert.False(response.Replayed);
        Assert.Equal(Icrc, visit.VisitingAgency);
        Assert.Equal(["A. Muller", "S. Haddad"], visit.Delegates);
        Assert.Equal([rifleman.ToString(), sniper.ToString()], visit.CaseIds);
        Assert.Equal("UA", visit.Facility.Country);
        foreach (var caseId in new[] { rifleman, sniper })
        {
            var listed = await new CustodyService.CustodyServiceClient(custody.Service.As("UA-SBU", RegistryRoles.Custodian))
                .ListIcrcVisitsAsync(new ListIcrcVisitsRequest { CaseId = caseId.ToString(), PageSize = 10 });
            Assert.Equal(visit, Assert.Single(listed.Visits));
        }

        var audit = await custody.QueryAsync(db => db.AccessEvents.Where(e => e.Method == "registry.custody.v1.CustodyService/RecordIcrcVisit" && e.Outcome == "OK").ToListAsync());
        var row = Assert.Single(audit, e => e.CaseIds.Contains(rifleman));
        Assert.Equal([rifleman, sniper], row.CaseIds);
        Assert.Equal(Icrc, row.Agency);

        // Art. 126: of a private interview only that it took place; the contract has no field for its content.
        Assert.Equal(["case_ids", "delegates", "facility", "recorded_at", "visit_id", "visited_at", "visiting_agency"],
            IcrcVisit.Descriptor.Fields.InDeclarationOrder().Select(f => f.Name).Order());
    }

    [Fact]
    public async Task A_visit_in_another_agencys_name_or_by_a_custodian_is_refused()
    {
        var caseId = await RegisteredAsync();

        var foreign = await Assert.ThrowsAsync<RpcException>(() => Delegate("UA-SBU").RecordIcrcVisitAsync(Visit(VisitedAt, caseId)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Contains("visiting_agency", foreign.Status.Detail);

        var custodian = new CustodyService.CustodyServiceClient(custody.Service.As(Icrc, RegistryRoles.Custodian));
        var denied = await Assert.ThrowsAsync<RpcException>(() => custodian.RecordIcrcVisitAsync(Visit(VisitedAt, caseId)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        Assert.Equal(0, await VisitsOfAsync(caseId));
        var refusal = await custody.QueryAsync(db => db.AccessEvents.Where(e => e.Method.EndsWith("/RecordIcrcVisit") && e.Agency == "UA-SBU").ToListAsync());
        Assert.Equal([caseId], Assert.Single(refusal).CaseIds);
    }

    public static TheoryData<string, Action<RecordIcrcVisitRequest>> BadRequests => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "visiting_agency", r => r.VisitingAgency = "" },
        { "visited_at", r => r.VisitedAt = null },
        { "visited_at", r => r.VisitedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(2)) },
        { "facility", r => r.Facility = null },
        { "facility.name", r => r.Facility.Name = "" },
        { "facility.country", r => r.Facility.Country = "" },
        { "facility.country", r => r.Facility.Country = "ZZ" },
        { "delegates", r => r.Delegates.Clear() },
        { "delegates", r => r.Delegates.Add(Enumerable.Range(0, 19).Select(n => $"delegate {n}")) },
        { "delegates[1]", r => r.Delegates[1] = " " },
        { "case_ids", r => r.CaseIds.Clear() },
        { "case_ids[0]", r => r.CaseIds[0] = "RC-000002" },
        { "case_ids[1]", r => r.CaseIds.Add(r.CaseIds[0].ToUpperInvariant()) },
        { "case_ids[1]", r => r.CaseIds.Add(Guid.NewGuid().ToString()) },
        { "case_ids[0]", r => r.VisitedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(-1)) },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_names_the_field_and_stores_nothing(string field, Action<RecordIcrcVisitRequest> spoil)
    {
        var caseId = await RegisteredAsync();
        var request = Visit(VisitedAt, caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => Delegate().RecordIcrcVisitAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await VisitsOfAsync(caseId));
    }

    [Fact]
    public async Task A_merged_case_or_a_released_person_cannot_be_visited_and_nothing_is_stored()
    {
        var kept = await RegisteredAsync();
        var merged = await RegisteredAsync();
        var survivor = await RegisteredAsync();
        await custody.QueryAsync(async db =>
        {
            var records = await db.Records.Where(r => r.CaseId == merged || r.CaseId == survivor).ToListAsync();
            var (into, from) = records.Single(r => r.CaseId == survivor).Absorb(records.Single(r => r.CaseId == merged), VisitedAt.AddDays(-3), DateTimeOffset.UtcNow);
            db.Events.AddRange(into, from);
            return await db.SaveChangesAsync();
        });

        var refused = await Assert.ThrowsAsync<RpcException>(() => Delegate().RecordIcrcVisitAsync(Visit(VisitedAt, kept, merged)).ResponseAsync);
        RpcAssert.RuleViolation(refused, "CASE_MERGED", $"cases/{merged}");
        Assert.Equal(0, await VisitsOfAsync(kept));

        await custody.QueryAsync(async db =>
        {
            var record = await db.Records.SingleAsync(r => r.CaseId == survivor);
            db.Events.Add(record.Release(VisitedAt.AddDays(-1), "released", DateTimeOffset.UtcNow));
            return await db.SaveChangesAsync();
        });
        var ended = await Assert.ThrowsAsync<RpcException>(() => Delegate().RecordIcrcVisitAsync(Visit(VisitedAt, kept, survivor)).ResponseAsync);
        RpcAssert.RuleViolation(ended, "CAPTIVITY_ENDED", $"cases/{survivor}");
        Assert.Equal(0, await VisitsOfAsync(kept));
    }

    [Fact]
    public async Task A_retry_replays_the_visit_and_visits_are_listed_latest_first_page_by_page()
    {
        var caseId = await RegisteredAsync();
        var first = Visit(VisitedAt, caseId);
        var recorded = await Delegate().RecordIcrcVisitAsync(first);
        var retry = await Delegate().RecordIcrcVisitAsync(first.Clone());
        Assert.True(retry.Replayed);
        Assert.Equal(recorded.Visit, retry.Visit);
        var reused = first.Clone();
        reused.Delegates.Add("third delegate");
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => Delegate().RecordIcrcVisitAsync(reused).ResponseAsync)).StatusCode);

        await Delegate().RecordIcrcVisitAsync(Visit(VisitedAt.AddDays(30), caseId));
        await Delegate().RecordIcrcVisitAsync(Visit(VisitedAt.AddDays(15), caseId));

        var seen = new List<DateTimeOffset>();
        var token = "";
        do
        {
            var page = await Delegate().ListIcrcVisitsAsync(new ListIcrcVisitsRequest { CaseId = caseId.ToString(), PageSize = 2, PageToken = token });
            seen.AddRange(page.Visits.Select(v => v.VisitedAt.ToDateTimeOffset()));
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal([VisitedAt.AddDays(30), VisitedAt.AddDays(15), VisitedAt], seen);
        var partner = new CustodyService.CustodyServiceClient(custody.Service.As("KR-NIS", RegistryRoles.Partner));
        var denied = await Assert.ThrowsAsync<RpcException>(() => partner.ListIcrcVisitsAsync(new ListIcrcVisitsRequest { CaseId = caseId.ToString(), PageSize = 2 }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }
}
