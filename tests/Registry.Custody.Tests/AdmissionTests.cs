using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>Arrival at a place of internment: the state machine, the hash-chained timeline, the event for intake.</summary>
public sealed class AdmissionTests(CustodyFixture custody) : IClassFixture<CustodyFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AdmittedAt = new(2025, 1, 12, 14, 0, 0, TimeSpan.Zero);

    private async Task<Guid> RegisteredAsync(string? dateOfBirth = null)
    {
        var caseId = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId,
            CaseNumber = "RC-000031",
            FamilyName = "백",
            GivenNames = "광순",
            CapturedAt = CapturedAt,
            CapturePlace = "Kursk region",
            CapturingAgency = "UA-SSO",
            RegisteredAt = CapturedAt.AddHours(2),
            DateOfBirth = dateOfBirth,
        });
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)),
            TimeSpan.FromSeconds(30), "the custody record");
        return caseId;
    }

    private static AdmitToFacilityRequest Kyiv(Guid caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
        CustodianAgency = "UA-SBU",
        AdmittedAt = Timestamp.FromDateTimeOffset(AdmittedAt),
        Note = "evacuated from the combat zone",
    };

    private async Task<List<CustodyEvent>> TimelineAsync(Guid caseId)
    {
        var events = new List<CustodyEvent>();
        var token = "";
        do
        {
            // One event per page, so that paging itself is exercised.
            var page = await custody.Client.ListCustodyEventsAsync(new ListCustodyEventsRequest { CaseId = caseId.ToString(), PageSize = 1, PageToken = token });
            events.AddRange(page.Events);
            token = page.NextPageToken;
        }
        while (token != "");

        return events;
    }

    [Fact]
    public async Task An_admission_puts_the_person_in_the_facility_appends_to_the_chain_and_tells_intake()
    {
        var caseId = await RegisteredAsync();

        var response = await custody.Client.AdmitToFacilityAsync(Kyiv(caseId));

        Assert.False(response.Replayed);
        var record = (await custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record;
        Assert.Equal(CustodyState.Held, record.State);
        Assert.Equal("SBU detention facility", record.Facility.Name);
        Assert.Equal("Kyiv", record.Facility.Locality);
        Assert.Equal("UA-SBU", record.CustodianAgency);
        Assert.Equal(AdmittedAt, record.AdmittedAt.ToDateTimeOffset());

        var timeline = await TimelineAsync(caseId);
        Assert.Equal([CustodyEventKind.Captured, CustodyEventKind.Admitted], timeline.Select(e => e.Kind));
        Assert.Equal("UA-SSO", timeline[0].CustodianAgency);
        Assert.Equal(CapturedAt, timeline[0].OccurredAt.ToDateTimeOffset());
        Assert.Equal(2, record.EventCount);
        Assert.Equal(timeline[^1].Hash, record.HeadHash);
        AssertChained(timeline);

        var admitted = await custody.Events.WaitForAsync<CustodyAdmitted>(e => e.CaseId == caseId, "CustodyAdmitted");
        Assert.Equal(AdmittedAt, admitted.AdmittedAt);
        Assert.Equal("SBU detention facility", admitted.Facility);
        Assert.Equal("UA-SBU", admitted.CustodianAgency);
    }

    [Fact]
    public async Task An_altered_event_breaks_the_chain()
    {
        var caseId = await RegisteredAsync();
        await custody.Client.AdmitToFacilityAsync(Kyiv(caseId));

        // Someone with database access moves the admission a day later.
        await custody.QueryAsync(db => db.Events.Where(e => e.CaseId == caseId && e.Sequence == 2)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.OccurredAt, AdmittedAt.AddDays(1))));

        var timeline = await TimelineAsync(caseId);
        Assert.NotEqual(timeline[1].Hash, ContractHash(timeline[1]));
    }

    [Fact]
    public async Task A_person_already_held_cannot_be_admitted_again_and_a_retry_replays_the_first_answer()
    {
        var caseId = await RegisteredAsync();
        var request = Kyiv(caseId);
        var first = await custody.Client.AdmitToFacilityAsync(request);

        var retry = await custody.Client.AdmitToFacilityAsync(request);
        Assert.True(retry.Replayed);
        Assert.Equal(first.Event.Hash, retry.Event.Hash);

        var reused = request.Clone();
        reused.Facility.Name = "POW camp";
        var conflict = await Assert.ThrowsAsync<RpcException>(() => custody.Client.AdmitToFacilityAsync(reused).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        var again = Kyiv(caseId);
        again.Facility.Name = "POW camp";
        var refused = await Assert.ThrowsAsync<RpcException>(() => custody.Client.AdmitToFacilityAsync(again).ResponseAsync);
        RpcAssert.RuleViolation(refused, "CUSTODY_ALREADY_HELD", $"cases/{caseId}");
        Assert.Contains("transfer", refused.Status.Detail);

        Assert.Equal(2, (await TimelineAsync(caseId)).Count);
        // One admission, one event for intake.
        Assert.Equal(1, await custody.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.Payload.Contains(caseId.ToString()))));
    }

    [Fact]
    public async Task Concurrent_admissions_of_one_person_admit_once()
    {
        var caseId = await RegisteredAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            var request = Kyiv(caseId);
            request.Facility.Name = $"Facility {i}";
            try
            {
                await custody.Client.AdmitToFacilityAsync(request);
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        }));

        Assert.Single(outcomes, s => s == StatusCode.OK);
        Assert.All(outcomes.Where(s => s != StatusCode.OK), s => Assert.Equal(StatusCode.FailedPrecondition, s));
        var timeline = await TimelineAsync(caseId);
        Assert.Equal(2, timeline.Count);
        AssertChained(timeline);
    }

    [Fact]
    public async Task Concurrent_retries_of_one_admission_all_get_its_answer()
    {
        // A client that retries on a timeout may have several copies of one request in flight. The loser of
        // the race usually fails on the record's version, not on the request id: it must still replay.
        for (var round = 0; round < 5; round++)
        {
            var caseId = await RegisteredAsync();
            var request = Kyiv(caseId);

            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => custody.Client.AdmitToFacilityAsync(request.Clone()).ResponseAsync));

            Assert.Single(answers, a => !a.Replayed);
            Assert.All(answers, a => Assert.Equal(answers[0].Event.Hash, a.Event.Hash));
            Assert.Equal(2, (await TimelineAsync(caseId)).Count);
        }
    }

    public static TheoryData<string, Action<AdmitToFacilityRequest>> BadAdmissions => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "case_id", r => r.CaseId = "RC-000031" },
        { "facility", r => r.Facility = null },
        { "facility.name", r => r.Facility.Name = " " },
        { "facility.country", r => r.Facility.Country = "Ukraine" },
        { "custodian_agency", r => r.CustodianAgency = "" },
        { "admitted_at", r => r.AdmittedAt = null },
        { "admitted_at", r => r.AdmittedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "note", r => r.Note = "line\nbreak" },
        // Every Unicode line break, not only LF, in every field the chain hashes (CustodyChain: one field per line).
        { "facility.name", r => r.Facility.Name = "Camp\u20287" },
        { "facility.locality", r => r.Facility.Locality = "Kyiv\u2029Oblast" },
        { "note", r => r.Note = "evacuated\u2028from the zone" },
        { "note", r => r.Note = "evacuated\u2029from the zone" },
        { "note", r => r.Note = "evacuated\u0085from the zone" },
        { "note", r => r.Note = "evacuated\rfrom the zone" },
        { "note", r => r.Note = "evacuated\u000Bfrom the zone" },
        { "note", r => r.Note = "evacuated\ffrom the zone" },
        { "custodian_agency", r => r.CustodianAgency = "UA\u2028SBU" },
        // Invisible format characters: two facility names that look alike must be alike (zero-width space, word
        // joiner, BOM, soft hyphen, a tag character outside the BMP), and nothing reorders what a reader sees (bidi override).
        { "facility.name", r => r.Facility.Name = "Camp\u200b7" },
        { "facility.name", r => r.Facility.Name = "Camp\u202e7" },
        { "facility.name", r => r.Facility.Name = "Camp\u20607" },
        { "facility.locality", r => r.Facility.Locality = "Ky\u00adiv" },
        { "note", r => r.Note = "\ufeffevacuated" },
        { "custodian_agency", r => r.CustodianAgency = "UA-SBU\U000E0041" },
        // Country codes from the real ISO 3166-1 list: user-assigned and made-up codes are refused.
        { "facility.country", r => r.Facility.Country = "ZZ" },
        { "facility.country", r => r.Facility.Country = "XX" },
        { "facility.country", r => r.Facility.Country = "QQ" },
        { "facility.country", r => r.Facility.Country = "EN" },
        { "facility.country", r => r.Facility.Country = "EU" },
        // Dates that cannot be true: the shared range (1900 to now + 5 minutes).
        { "admitted_at", r => r.AdmittedAt = new Timestamp { Seconds = -62135596800 } },
        { "admitted_at", r => r.AdmittedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1899, 12, 31, 0, 0, 0, TimeSpan.Zero)) },
        { "admitted_at", r => r.AdmittedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero)) },
        { "admitted_at", r => r.AdmittedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(30)) },
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
    };

    [Theory]
    [MemberData(nameof(BadAdmissions))]
    public async Task A_bad_admission_names_the_field_and_changes_nothing(string field, Action<AdmitToFacilityRequest> spoil)
    {
        var caseId = await RegisteredAsync();
        var request = Kyiv(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => custody.Client.AdmitToFacilityAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        var record = (await custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record;
        Assert.Equal(CustodyState.AwaitingAdmission, record.State);
        Assert.Equal(1, record.EventCount);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-24 * 365 * 6)]
    public async Task An_admission_before_the_capture_or_of_an_unknown_case_is_refused(int hoursFromCapture)
    {
        var caseId = await RegisteredAsync();
        var early = Kyiv(caseId);
        early.AdmittedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddHours(hoursFromCapture));
        var refused = await Assert.ThrowsAsync<RpcException>(() => custody.Client.AdmitToFacilityAsync(early).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        var violation = Assert.Single(refused.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("admitted_at", violation.Field);
        Assert.Contains("before the capture (2025-01-11T06:30:00Z)", violation.Description);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => custody.Client.AdmitToFacilityAsync(Kyiv(Guid.NewGuid())).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(1, (await custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record.EventCount);
    }

    [Fact]
    public async Task An_admission_before_the_persons_birth_is_refused_from_the_birth_date_the_registration_carried()
    {
        // A birth date after the capture (an older intake let it through): custody keeps the registration's date and holds admissions to it.
        var caseId = await RegisteredAsync(dateOfBirth: "2025-01-12");
        var request = Kyiv(caseId);
        request.AdmittedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddHours(2));

        var refused = await Assert.ThrowsAsync<RpcException>(() => custody.Client.AdmitToFacilityAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        var violation = Assert.Single(refused.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("admitted_at", violation.Field);
        Assert.Contains("before the person's birth (2025-01-12)", violation.Description);
        Assert.Equal("2025-01-12", await custody.QueryAsync(db => db.Records.Where(r => r.CaseId == caseId).Select(r => r.DateOfBirth).SingleAsync()));
        Assert.Single(await TimelineAsync(caseId));
    }

    [Theory]
    [InlineData("upper case")]
    [InlineData("braces")]
    [InlineData("no hyphens")]
    public async Task A_retry_that_spells_the_request_id_otherwise_replays_the_admission(string spelling)
    {
        var caseId = await RegisteredAsync();
        var request = Kyiv(caseId);
        var first = await custody.Client.AdmitToFacilityAsync(request);

        var retry = request.Clone();
        var id = Guid.Parse(request.RequestId);
        retry.RequestId = spelling switch
        {
            "upper case" => id.ToString("D").ToUpperInvariant(),
            "braces" => id.ToString("B"),
            _ => id.ToString("N"),
        };
        var replayed = await custody.Client.AdmitToFacilityAsync(retry);

        Assert.True(replayed.Replayed);
        Assert.Equal(first.Event.Hash, replayed.Event.Hash);
        Assert.Equal(2, (await TimelineAsync(caseId)).Count);
    }

    /// <summary>Recomputes the chain from the timeline alone, by the rule custody.proto states (not custody's code).</summary>
    private static void AssertChained(IReadOnlyList<CustodyEvent> timeline)
    {
        var previous = "";
        for (var i = 0; i < timeline.Count; i++)
        {
            Assert.Equal(i + 1, timeline[i].Sequence);
            Assert.Equal(previous, timeline[i].PreviousHash);
            Assert.Equal(ContractHash(timeline[i]), timeline[i].Hash);
            previous = timeline[i].Hash;
        }
    }

    private static string ContractHash(CustodyEvent e)
    {
        static string Time(Timestamp t) => t.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var lines = new[]
        {
            e.PreviousHash, e.CaseId, e.Sequence.ToString(CultureInfo.InvariantCulture),
            e.Kind.ToString() switch { "Captured" => "CAPTURED", "Admitted" => "ADMITTED", var k => k },
            Time(e.OccurredAt), Time(e.RecordedAt),
            e.Facility?.Name ?? "", e.Facility?.Locality ?? "", e.Facility?.Country ?? "", e.CustodianAgency, e.Note,
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")))));
    }
}
