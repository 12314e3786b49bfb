using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>
/// Part A of the lifecycle through the real server: escape, recapture and release over gRPC with their bus events,
/// VerifyCustodyChain against rows altered and deleted in PostgreSQL, and custody following medical's events.
/// </summary>
public sealed class LifecycleTests(CustodyFixture custody) : IClassFixture<CustodyFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AdmittedAt = new(2025, 1, 12, 14, 0, 0, TimeSpan.Zero);
    private TestEvents _events = null!;

    public async Task InitializeAsync() => _events = await TestEvents.StartAsync(custody.Broker, "test-custody-lifecycle-events",
        typeof(PrisonerEscaped), typeof(PrisonerRecaptured), typeof(CaptivityEnded));

    public async Task DisposeAsync() => await _events.DisposeAsync();

    private async Task<Guid> HeldAsync()
    {
        var caseId = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = "RC-000041", FamilyName = "백", GivenNames = "광순", CapturedAt = CapturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the custody record");
        await custody.Client.AdmitToFacilityAsync(new AdmitToFacilityRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), CustodianAgency = "UA-SSO",
            Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
            AdmittedAt = Timestamp.FromDateTimeOffset(AdmittedAt),
        });
        return caseId;
    }

    private static RecordEscapeRequest Escape(Guid caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(),
        EscapedAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(3)), Circumstances = "climbed the fence at night",
    };

    private static RecordRecaptureRequest Recapture(Guid caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), RecapturedAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(5)),
        Facility = new Facility { Name = "POW camp No. 1", Locality = "Lviv region", Country = "UA" }, CustodianAgency = "UA-SSO",
    };

    private static ReleaseFromCustodyRequest Release(Guid caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), ReleasedAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(10)),
        Grounds = ReleaseGrounds.Parole, Note = "on his word not to take up arms again",
    };

    private Task<CustodyRecord> RecordAsync(Guid caseId) =>
        custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() }).ResponseAsync.ContinueWith(t => t.Result.Record);

    private Task<VerifyCustodyChainResponse> VerifyAsync(Guid caseId) =>
        custody.Client.VerifyCustodyChainAsync(new VerifyCustodyChainRequest { CaseId = caseId.ToString() }).ResponseAsync;

    [Fact]
    public async Task Escape_recapture_and_release_each_append_one_chained_event_and_tell_intake()
    {
        var caseId = await HeldAsync();

        var escaped = await custody.Client.RecordEscapeAsync(Escape(caseId));
        Assert.Equal(CustodyState.Escaped, escaped.Record.State);
        Assert.Equal(CustodyEventKind.Escaped, escaped.Event.Kind);
        Assert.Equal("climbed the fence at night", escaped.Event.Note);
        var escape = await _events.WaitForAsync<PrisonerEscaped>(e => e.CaseId == caseId, "PrisonerEscaped");
        Assert.Equal("SBU detention facility, Kyiv, UA", escape.From);

        var recaptured = await custody.Client.RecordRecaptureAsync(Recapture(caseId));
        Assert.Equal(CustodyState.Held, recaptured.Record.State);
        Assert.Equal("POW camp No. 1", recaptured.Record.Facility.Name);
        var recapture = await _events.WaitForAsync<PrisonerRecaptured>(e => e.CaseId == caseId, "PrisonerRecaptured");
        Assert.Equal(("POW camp No. 1", "UA-SSO"), (recapture.Facility, recapture.CustodianAgency));

        var released = await custody.Client.ReleaseFromCustodyAsync(Release(caseId));
        Assert.Equal(CustodyState.Released, released.Record.State);
        Assert.StartsWith("released on parole (GC III Art. 21): on his word", released.Event.Note);
        var ended = await _events.WaitForAsync<CaptivityEnded>(e => e.CaseId == caseId, "CaptivityEnded");
        Assert.Equal("RELEASED", ended.Way);

        var chain = await VerifyAsync(caseId);
        Assert.True(chain.Intact);
        Assert.Equal(5, chain.EventCount); // captured, admitted, escaped, recaptured, released
        Assert.True(chain.HeadMatchesRecord);
        Assert.Equal(released.Record.HeadHash, chain.HeadHash);

        // Captivity has ended: nothing more is taken.
        var after = await Assert.ThrowsAsync<RpcException>(() => custody.Client.RecordEscapeAsync(Escape(caseId)).ResponseAsync);
        RpcAssert.RuleViolation(after, "CAPTIVITY_ENDED", $"cases/{caseId}");
    }

    [Fact]
    public async Task A_retry_replays_the_first_answer_and_a_refused_move_stores_nothing()
    {
        var caseId = await HeldAsync();
        var escape = Escape(caseId);
        var first = await custody.Client.RecordEscapeAsync(escape);
        var retry = await custody.Client.RecordEscapeAsync(escape);
        Assert.True(retry.Replayed);
        Assert.Equal(first.Event.Hash, retry.Event.Hash);

        // Released while escaped: the state machine refuses it, and nothing is stored or published.
        var refused = await Assert.ThrowsAsync<RpcException>(() => custody.Client.ReleaseFromCustodyAsync(Release(caseId)).ResponseAsync);
        RpcAssert.RuleViolation(refused, "CUSTODY_ILLEGAL_TRANSITION", $"cases/{caseId}");
        var early = Recapture(caseId);
        early.RecapturedAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(2)); // before the escape
        RpcAssert.RuleViolation(await Assert.ThrowsAsync<RpcException>(() => custody.Client.RecordRecaptureAsync(early).ResponseAsync),
            "EVENT_BEFORE_CURRENT_STATE", $"cases/{caseId}");

        Assert.Equal(3, (await RecordAsync(caseId)).EventCount);
        Assert.Equal(2, await custody.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.Payload.Contains(caseId.ToString()))));
    }

    public static TheoryData<string, Func<CustodyService.CustodyServiceClient, Guid, Task>> BadMoves => new()
    {
        { "request_id", (c, id) => c.RecordEscapeAsync(Escape(id).With(r => r.RequestId = "")).ResponseAsync },
        { "escaped_at", (c, id) => c.RecordEscapeAsync(Escape(id).With(r => r.EscapedAt = null)).ResponseAsync },
        { "escaped_at", (c, id) => c.RecordEscapeAsync(Escape(id).With(r => r.EscapedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)))).ResponseAsync },
        { "escaped_at", (c, id) => c.RecordEscapeAsync(Escape(id).With(r => r.EscapedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(-1)))).ResponseAsync },
        { "circumstances", (c, id) => c.RecordEscapeAsync(Escape(id).With(r => r.Circumstances = "over\u2028the wall")).ResponseAsync },
        { "facility", (c, id) => c.RecordRecaptureAsync(Recapture(id).With(r => r.Facility = null)).ResponseAsync },
        { "facility.name", (c, id) => c.RecordRecaptureAsync(Recapture(id).With(r => r.Facility.Name = " ")).ResponseAsync },
        { "facility.country", (c, id) => c.RecordRecaptureAsync(Recapture(id).With(r => r.Facility.Country = "Ukraine")).ResponseAsync },
        { "custodian_agency", (c, id) => c.RecordRecaptureAsync(Recapture(id).With(r => r.CustodianAgency = "")).ResponseAsync },
        { "recaptured_at", (c, id) => c.RecordRecaptureAsync(Recapture(id).With(r => r.RecapturedAt = null)).ResponseAsync },
        { "grounds", (c, id) => c.ReleaseFromCustodyAsync(Release(id).With(r => r.Grounds = ReleaseGrounds.Unspecified)).ResponseAsync },
        { "grounds", (c, id) => c.ReleaseFromCustodyAsync(Release(id).With(r => r.Grounds = (ReleaseGrounds)99)).ResponseAsync },
        { "note", (c, id) => c.ReleaseFromCustodyAsync(Release(id).With(r => { r.Grounds = ReleaseGrounds.Other; r.Note = ""; })).ResponseAsync },
        { "note", (c, id) => c.ReleaseFromCustodyAsync(Release(id).With(r => r.Note = new string('x', 1001))).ResponseAsync },
        { "released_at", (c, id) => c.ReleaseFromCustodyAsync(Release(id).With(r => r.ReleasedAt = null)).ResponseAsync },
    };

    [Theory]
    [MemberData(nameof(BadMoves))]
    public async Task Bad_input_is_refused_naming_the_field_and_nothing_is_stored(string field, Func<CustodyService.CustodyServiceClient, Guid, Task> call)
    {
        var caseId = await HeldAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => call(custody.Client, caseId));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(field, refused.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(2, (await RecordAsync(caseId)).EventCount);
    }

    [Fact]
    public async Task VerifyCustodyChain_names_an_event_altered_in_the_database()
    {
        var caseId = await HeldAsync();
        await custody.Client.RecordEscapeAsync(Escape(caseId));
        await custody.Client.RecordRecaptureAsync(Recapture(caseId));
        Assert.True((await VerifyAsync(caseId)).Intact);

        // Someone with database access rewrites the escape's note.
        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE custody_events SET \"Note\" = 'transferred' WHERE \"CaseId\" = {caseId} AND \"Sequence\" = 3"));

        var verified = await VerifyAsync(caseId);
        Assert.False(verified.Intact);
        Assert.Equal(3, verified.FirstBreak.Sequence);
        Assert.Equal(ChainBreakReason.HashMismatch, verified.FirstBreak.Reason);
        Assert.Equal(2, verified.EventCount);
    }

    [Fact]
    public async Task VerifyCustodyChain_names_a_record_whose_state_was_set_back_outside_the_timeline()
    {
        var caseId = await HeldAsync();
        await custody.Client.RecordEscapeAsync(Escape(caseId));

        // Someone with database access sets an escaped person back to held, leaving the timeline untouched.
        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync($"UPDATE custody_records SET \"State\" = 'Held' WHERE \"CaseId\" = {caseId}"));

        var verified = await VerifyAsync(caseId);
        Assert.False(verified.Intact);
        Assert.Equal((3L, ChainBreakReason.RecordStateMismatch), (verified.FirstBreak.Sequence, verified.FirstBreak.Reason));
        Assert.Contains("Escaped", verified.FirstBreak.Detail);
    }

    [Fact]
    public async Task VerifyCustodyChain_names_a_deleted_event_and_a_deleted_head()
    {
        var caseId = await HeldAsync();
        await custody.Client.RecordEscapeAsync(Escape(caseId));
        await custody.Client.RecordRecaptureAsync(Recapture(caseId));

        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM custody_events WHERE \"CaseId\" = {caseId} AND \"Sequence\" = 2"));
        var gap = await VerifyAsync(caseId);
        Assert.Equal((2L, ChainBreakReason.SequenceGap), (gap.FirstBreak.Sequence, gap.FirstBreak.Reason));

        var other = await HeldAsync();
        await custody.Client.RecordEscapeAsync(Escape(other));
        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM custody_events WHERE \"CaseId\" = {other} AND \"Sequence\" = 3"));
        var tail = await VerifyAsync(other);
        Assert.Equal((3L, ChainBreakReason.RecordHeadMismatch), (tail.FirstBreak.Sequence, tail.FirstBreak.Reason));
        Assert.False(tail.HeadMatchesRecord);
    }

    [Fact]
    public async Task A_long_timeline_is_verified_across_pages()
    {
        var caseId = await HeldAsync();
        var at = AdmittedAt;
        for (var i = 0; i < 260; i++) // 2 + 520 events: more than one page of 500
        {
            at = at.AddHours(1);
            await custody.Client.RecordEscapeAsync(new RecordEscapeRequest { RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), EscapedAt = Timestamp.FromDateTimeOffset(at) });
            at = at.AddHours(1);
            var back = Recapture(caseId);
            back.RecapturedAt = Timestamp.FromDateTimeOffset(at);
            await custody.Client.RecordRecaptureAsync(back);
        }

        var intact = await VerifyAsync(caseId);
        Assert.True(intact.Intact);
        Assert.Equal(522, intact.EventCount);

        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync($"UPDATE custody_events SET \"CustodianAgency\" = 'RU-FSB' WHERE \"CaseId\" = {caseId} AND \"Sequence\" = 510"));
        Assert.Equal(510, (await VerifyAsync(caseId)).FirstBreak.Sequence);
    }

    [Fact]
    public async Task VerifyCustodyChain_is_refused_to_a_partner_and_answers_an_auditor()
    {
        var caseId = await HeldAsync();
        var auditor = new CustodyService.CustodyServiceClient(custody.Service.As("UA-OMBUDSMAN", "auditor"));
        Assert.True((await auditor.VerifyCustodyChainAsync(new VerifyCustodyChainRequest { CaseId = caseId.ToString() })).Intact);
        var partner = new CustodyService.CustodyServiceClient(custody.Service.As("KR-NIS", "partner"));
        var refused = await Assert.ThrowsAsync<RpcException>(() => partner.VerifyCustodyChainAsync(new VerifyCustodyChainRequest { CaseId = caseId.ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        var otherCustodian = new CustodyService.CustodyServiceClient(custody.Service.As("UA-NGU", "custodian"));
        var notOwn = await Assert.ThrowsAsync<RpcException>(() => otherCustodian.RecordEscapeAsync(Escape(caseId)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, notOwn.StatusCode);
    }

    // ---- Custody follows medical ----

    [Fact]
    public async Task Custody_follows_a_hospitalisation_a_discharge_and_a_death_and_drops_what_the_state_machine_refuses()
    {
        var caseId = await HeldAsync();
        var hospitalisedAt = AdmittedAt.AddDays(2);

        // A discharge of a person not in hospital: logged, acknowledged, nothing changes (it must not loop or park).
        // Acknowledged before the admission is sent: the consumers run concurrently, so it could otherwise come second.
        var early = NewId.NextGuid();
        await custody.Bus.Publisher.Publish(new PatientDischarged { CaseId = caseId, DischargedAt = hospitalisedAt, Hospital = "Military hospital No. 1" },
            c => c.MessageId = early);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.InboxMessages.AnyAsync(m => m.MessageId == early)),
            TimeSpan.FromSeconds(30), "the refused discharge acknowledged");
        Assert.Equal(CustodyState.Held, (await RecordAsync(caseId)).State);
        await custody.Bus.Publisher.Publish(new PatientHospitalised { CaseId = caseId, HospitalisedAt = hospitalisedAt, Hospital = "Military hospital No. 1" });
        await Eventually.TrueAsync(async () => (await RecordAsync(caseId)).State == CustodyState.Hospitalised, TimeSpan.FromSeconds(30), "hospitalised");
        Assert.Equal("Military hospital No. 1", (await RecordAsync(caseId)).Hospital);

        await custody.Bus.Publisher.Publish(new PatientDischarged { CaseId = caseId, DischargedAt = hospitalisedAt.AddDays(4), Hospital = "Military hospital No. 1" });
        await Eventually.TrueAsync(async () => (await RecordAsync(caseId)).State == CustodyState.Held, TimeSpan.FromSeconds(30), "discharged");

        await custody.Bus.Publisher.Publish(new DeathRecorded
        {
            CaseId = caseId, DiedAt = hospitalisedAt.AddDays(9), Place = "Military hospital No. 1, Kyiv", Cause = "Sepsis",
            CertificateNumber = "DC-2025-0042", CertificateIssuedBy = "Maj. O. Kovalenko", CertificateIssuedAt = hospitalisedAt.AddDays(9),
            EnquiryReference = "ENQ-1",
        });
        await Eventually.TrueAsync(async () => (await RecordAsync(caseId)).State == CustodyState.Deceased, TimeSpan.FromSeconds(30), "deceased");

        var timeline = (await custody.Client.ListCustodyEventsAsync(new ListCustodyEventsRequest { CaseId = caseId.ToString(), PageSize = 50 })).Events;
        Assert.Equal([CustodyEventKind.Captured, CustodyEventKind.Admitted, CustodyEventKind.Hospitalised, CustodyEventKind.Discharged, CustodyEventKind.Died],
            timeline.Select(e => e.Kind));
        Assert.Contains("death certificate DC-2025-0042", timeline[^1].Note);
        // The cause is medical's (GetDeath: medic and coordinator): custody's timeline, read by roles that may not see it, does not carry it.
        Assert.DoesNotContain("Sepsis", timeline[^1].Note);
        Assert.Contains("enquiry ENQ-1", timeline[^1].Note);
        Assert.Equal("Military hospital No. 1, Kyiv", timeline[^1].Facility.Name);
        Assert.True((await VerifyAsync(caseId)).Intact);

        // A hospitalisation after the death is refused by the state machine and acknowledged (its inbox row), not retried.
        var messageId = NewId.NextGuid();
        await custody.Bus.Publisher.Publish(new PatientHospitalised { CaseId = caseId, HospitalisedAt = hospitalisedAt.AddDays(10), Hospital = "Elsewhere" },
            c => c.MessageId = messageId);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.InboxMessages.AnyAsync(m => m.MessageId == messageId)),
            TimeSpan.FromSeconds(30), "the refused hospitalisation acknowledged");
        Assert.Equal(5, (await RecordAsync(caseId)).EventCount);
    }

    [Fact]
    public async Task A_fact_about_a_merged_case_applies_to_the_survivor()
    {
        var survivor = await HeldAsync();
        var merged = await HeldAsync();
        await custody.Bus.Publisher.Publish(new CasesMerged
        {
            SurvivorCaseId = survivor, SurvivorCaseNumber = "RC-000041", MergedCaseId = merged, MergedCaseNumber = "RC-000041", Reason = "same man", MergedAt = AdmittedAt.AddDays(1),
        });
        await Eventually.TrueAsync(async () => (await RecordAsync(merged)).State == CustodyState.Merged, TimeSpan.FromSeconds(30), "merged");

        await custody.Bus.Publisher.Publish(new PatientHospitalised { CaseId = merged, HospitalisedAt = AdmittedAt.AddDays(2), Hospital = "Military hospital No. 1" });

        await Eventually.TrueAsync(async () => (await RecordAsync(survivor)).State == CustodyState.Hospitalised, TimeSpan.FromSeconds(30), "the survivor hospitalised");
        Assert.Equal(CustodyState.Merged, (await RecordAsync(merged)).State);
    }

    [Fact]
    public async Task A_death_races_an_escape_and_both_land_in_one_chain()
    {
        var caseId = await HeldAsync();
        var escape = custody.Client.RecordEscapeAsync(Escape(caseId)).ResponseAsync;
        await custody.Bus.Publisher.Publish(new DeathRecorded
        {
            CaseId = caseId, DiedAt = AdmittedAt.AddDays(4), Place = "Kyiv", Cause = "Gunshot wound",
            CertificateNumber = "DC-1", CertificateIssuedBy = "Dr. K", CertificateIssuedAt = AdmittedAt.AddDays(4),
        });
        try
        {
            await escape; // escaped, then died
        }
        catch (RpcException refused)
        {
            RpcAssert.RuleViolation(refused, "CAPTIVITY_ENDED", $"cases/{caseId}"); // died first: the escape is refused
        }

        await Eventually.TrueAsync(async () => (await RecordAsync(caseId)).State == CustodyState.Deceased, TimeSpan.FromSeconds(30), "deceased");
        var chain = await VerifyAsync(caseId);
        Assert.True(chain.Intact);
        Assert.InRange(chain.EventCount, 3, 4);
    }
}

internal static class RequestExtensions
{
    public static T With<T>(this T request, Action<T> change) where T : Google.Protobuf.IMessage<T>
    {
        var copy = request.Clone();
        change(copy);
        return copy;
    }
}
