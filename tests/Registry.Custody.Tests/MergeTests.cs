using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using MassTransit;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>
/// Intake's CasesMerged: the survivor's custody record takes the merged record's state, each hash chain takes one
/// event (no history rewritten), the merged record takes no more events, and the order of messages does not matter.
/// </summary>
public sealed class MergeTests(CustodyFixture custody) : IClassFixture<CustodyFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);

    private static CaseRegistered Registered(Guid caseId, string number, DateTimeOffset? capturedAt = null) => new()
    {
        CaseId = caseId,
        CaseNumber = number,
        FamilyName = "백",
        GivenNames = "광순",
        CapturedAt = capturedAt ?? CapturedAt,
        CapturePlace = "Kursk region",
        CapturingAgency = "UA-SSO",
        RegisteredAt = CapturedAt.AddHours(2),
    };

    private async Task<Guid> RegisteredAsync(string number, DateTimeOffset? capturedAt = null)
    {
        var caseId = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(Registered(caseId, number, capturedAt));
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the custody record");
        return caseId;
    }

    private static CasesMerged Merged(Guid survivor, Guid merged) => new()
    {
        SurvivorCaseId = survivor, SurvivorCaseNumber = "RC-X", MergedCaseId = merged, MergedCaseNumber = "RC-Y",
        Reason = "same man: fingerprints", MergedAt = CapturedAt.AddDays(20),
    };

    private Task AdmitAsync(Guid caseId, string facility, DateTimeOffset at, string agency = "UA-SBU") =>
        custody.Client.AdmitToFacilityAsync(new AdmitToFacilityRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), Facility = new Facility { Name = facility, Country = "UA" },
            CustodianAgency = agency, AdmittedAt = Timestamp.FromDateTimeOffset(at),
        }).ResponseAsync;

    private async Task<CustodyRecord> RecordAsync(Guid caseId) =>
        (await custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record;

    private async Task<CustodyRecord> MergedAsync(Guid survivor, Guid merged)
    {
        await custody.Bus.Publisher.Publish(Merged(survivor, merged));
        await Eventually.TrueAsync(async () => (await RecordAsync(merged)).State == CustodyState.Merged, TimeSpan.FromSeconds(60), "the merge applied");
        return await RecordAsync(survivor);
    }

    private async Task<List<CustodyEvent>> TimelineAsync(Guid caseId) =>
        (await custody.Client.ListCustodyEventsAsync(new ListCustodyEventsRequest { CaseId = caseId.ToString(), PageSize = 100 })).Events.ToList();

    [Fact]
    public async Task After_a_merge_the_persons_dates_are_bounded_by_the_earlier_capture()
    {
        // The same man, registered again ten days after his real capture by another agency.
        var x = await RegisteredAsync("RC-X", CapturedAt.AddDays(10));
        var y = await RegisteredAsync("RC-Y");
        var early = CapturedAt.AddDays(5);
        var before = await Assert.ThrowsAsync<RpcException>(() => AdmitAsync(x, "Camp 7", early));
        Assert.Equal(StatusCode.InvalidArgument, before.StatusCode);

        await MergedAsync(x, y);
        await AdmitAsync(x, "Camp 7", early);
        Assert.Equal((CustodyState.Held, early), ((await RecordAsync(x)).State, (await RecordAsync(x)).AdmittedAt.ToDateTimeOffset()));
    }

    [Fact]
    public async Task A_survivor_awaiting_admission_takes_the_merged_records_place_in_camp_7_and_both_chains_stay_verifiable()
    {
        var x = await RegisteredAsync("RC-X");
        var y = await RegisteredAsync("RC-Y");
        await AdmitAsync(y, "Camp 7", CapturedAt.AddDays(2));
        var yHeadBefore = (await RecordAsync(y)).HeadHash;

        var survivor = await MergedAsync(x, y);

        Assert.Equal((CustodyState.Held, "Camp 7", "UA-SBU"), (survivor.State, survivor.Facility.Name, survivor.CustodianAgency));
        Assert.Equal(CapturedAt.AddDays(2), survivor.AdmittedAt.ToDateTimeOffset());
        var xTimeline = await TimelineAsync(x);
        Assert.Equal([CustodyEventKind.Captured, CustodyEventKind.MergedFrom], xTimeline.Select(e => e.Kind));
        Assert.Contains(y.ToString(), xTimeline[^1].Note);
        Assert.Contains(yHeadBefore, xTimeline[^1].Note); // the merged chain's head anchored in the survivor's
        AssertChained(xTimeline);
        var merged = await RecordAsync(y);
        Assert.Equal((CustodyState.Merged, x.ToString()), (merged.State, merged.MergedIntoCaseId));
        var yTimeline = await TimelineAsync(y);
        Assert.Equal([CustodyEventKind.Captured, CustodyEventKind.Admitted, CustodyEventKind.MergedInto], yTimeline.Select(e => e.Kind));
        Assert.Equal(yHeadBefore, yTimeline[1].Hash); // nothing before the merge was rewritten
        AssertChained(yTimeline);
    }

    [Fact]
    public async Task Of_two_records_held_the_later_admission_gives_the_place_and_the_earlier_the_first_arrival()
    {
        var x = await RegisteredAsync("RC-X");
        var y = await RegisteredAsync("RC-Y");
        await AdmitAsync(x, "Camp 3", CapturedAt.AddDays(1), "UA-SSO");
        await AdmitAsync(y, "Camp 7", CapturedAt.AddDays(4));

        var survivor = await MergedAsync(x, y);

        Assert.Equal((CustodyState.Held, "Camp 7", "UA-SBU"), (survivor.State, survivor.Facility.Name, survivor.CustodianAgency));
        Assert.Equal(CapturedAt.AddDays(1), survivor.AdmittedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task A_merged_record_takes_no_more_events_and_names_the_survivor()
    {
        var x = await RegisteredAsync("RC-X");
        var y = await RegisteredAsync("RC-Y");
        await MergedAsync(x, y);

        var refused = await Assert.ThrowsAsync<RpcException>(() => AdmitAsync(y, "Camp 7", CapturedAt.AddDays(2)));

        RpcAssert.RuleViolation(refused, "CASE_MERGED", $"cases/{y}");
        Assert.Contains(x.ToString(), refused.Status.Detail);
        Assert.Equal(2, (await TimelineAsync(y)).Count);
        Assert.Equal(CustodyState.AwaitingAdmission, (await RecordAsync(x)).State);
    }

    [Fact]
    public async Task A_merge_that_arrives_before_a_record_is_open_is_applied_once_the_record_opens_and_a_redelivery_changes_nothing()
    {
        var x = await RegisteredAsync("RC-X");
        var y = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await custody.Bus.Publisher.Publish(Merged(x, y), c => c.MessageId = messageId);
        await Task.Delay(300);
        await custody.Bus.Publisher.Publish(Registered(y, "RC-Y"));

        await Eventually.TrueAsync(async () => (await custody.QueryAsync(db => db.Records.SingleOrDefaultAsync(r => r.CaseId == y)))?.MergedIntoCaseId == x,
            TimeSpan.FromSeconds(60), "the merge applied after the record opened");
        await custody.Bus.Publisher.Publish(Merged(x, y)); // the same merge again under another message id
        var marker = await RegisteredAsync("RC-Z");
        Assert.NotEqual(Guid.Empty, marker);
        Assert.Equal(2, (await TimelineAsync(x)).Count);
        Assert.Equal(2, (await TimelineAsync(y)).Count);
    }

    private static void AssertChained(IReadOnlyList<CustodyEvent> timeline)
    {
        var previous = "";
        foreach (var e in timeline)
        {
            Assert.Equal(previous, e.PreviousHash);
            Assert.Equal(ContractHash(e), e.Hash);
            previous = e.Hash;
        }
    }

    /// <summary>The hash as custody.proto states it, computed from the contract alone.</summary>
    private static string ContractHash(CustodyEvent e)
    {
        static string Time(Timestamp t) => t.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var kind = e.Kind switch
        {
            CustodyEventKind.Captured => "CAPTURED",
            CustodyEventKind.Admitted => "ADMITTED",
            CustodyEventKind.MergedFrom => "MERGED_FROM",
            CustodyEventKind.MergedInto => "MERGED_INTO",
            var other => other.ToString(),
        };
        var lines = new[]
        {
            e.PreviousHash, e.CaseId, e.Sequence.ToString(CultureInfo.InvariantCulture), kind, Time(e.OccurredAt), Time(e.RecordedAt),
            e.Facility?.Name ?? "", e.Facility?.Locality ?? "", e.Facility?.Country ?? "", e.CustodianAgency, e.Note,
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")))));
    }
}
