using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Features.Inspections;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.Medical.Tests;

/// <summary>The monthly inspections (GC III Art. 31) of one facility's prisoners on one day, in one call, each person's result on its own.</summary>
public sealed class InspectionBatchTests(MedicalFixture medical, ITestOutputHelper output) : IClassFixture<MedicalFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ExaminedAt = new(2025, 1, 12, 16, 0, 0, TimeSpan.Zero);

    private async Task<Guid> RegisteredAsync(string number = "RC-000001")
    {
        var caseId = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = number, FamilyName = "백", GivenNames = "광순", CapturedAt = CapturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)),
            TimeSpan.FromSeconds(30), "the medical record");
        return caseId;
    }

    private async Task<RecordEncounterResponse> IntakeExaminedAsync(Guid caseId, params ConditionFinding[] findings)
    {
        var request = new RecordEncounterRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), Kind = EncounterKind.IntakeExamination,
            OccurredAt = Timestamp.FromDateTimeOffset(ExaminedAt), Place = "SBU detention facility medical unit, Kyiv", Clinician = "military surgeon on duty",
        };
        request.Findings.AddRange(findings);
        return await medical.Client.RecordEncounterAsync(request);
    }

    private static RecordInspectionsRequest Batch(DateTimeOffset at, params PersonInspection[] persons)
    {
        var request = new RecordInspectionsRequest
        {
            RequestId = Guid.NewGuid().ToString(), Place = "Camp 7 medical unit", OccurredAt = Timestamp.FromDateTimeOffset(at),
            Clinician = "Capt. I. Bondar, camp physician",
        };
        request.Inspections.AddRange(persons);
        return request;
    }

    private static PersonInspection Person(Guid caseId, string notes = "no complaints") => new() { CaseId = caseId.ToString(), Notes = notes };

    [Fact]
    public async Task One_good_one_merged_one_unknown_and_one_malformed_person_each_get_their_own_answer_and_a_replay_replays_them()
    {
        var good = await RegisteredAsync("RC-000001");
        var jaw = (await IntakeExaminedAsync(good, new ConditionFinding { Kind = ConditionKind.Injury, Description = "Fragment wounds of the lower face and jaw" })).Conditions[0];
        var survivor = await RegisteredAsync("RC-X");
        var merged = await RegisteredAsync("RC-Y");
        await medical.Bus.Publisher.Publish(new CasesMerged
        {
            SurvivorCaseId = survivor, SurvivorCaseNumber = "RC-X", MergedCaseId = merged, MergedCaseNumber = "RC-Y", Reason = "same man", MergedAt = CapturedAt.AddDays(2),
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == merged && r.MergedIntoCaseId != null)),
            TimeSpan.FromSeconds(60), "the merge applied");
        var unknown = Guid.NewGuid();
        var inspectedAt = ExaminedAt.AddDays(20);
        var healed = Person(good, "jaw healing well");
        healed.ResolvedConditionIds.Add(jaw.ConditionId);
        var badFinding = Person(survivor);
        badFinding.Findings.Add(new ConditionFinding { Kind = ConditionKind.Illness, Description = "" });
        var request = Batch(inspectedAt, healed, Person(merged), Person(unknown), new PersonInspection { CaseId = "RC-000032" }, badFinding);

        var answered = await medical.Client.RecordInspectionsAsync(request);

        Assert.Equal([good.ToString(), merged.ToString(), unknown.ToString(), "RC-000032", survivor.ToString()], answered.Results.Select(r => r.CaseId));
        var recorded = answered.Results[0].Recorded;
        Assert.Equal((EncounterKind.Inspection, "Camp 7 medical unit", "jaw healing well"), (recorded.Encounter.Kind, recorded.Encounter.Place, recorded.Encounter.Notes));
        Assert.Equal([jaw.ConditionId], recorded.Encounter.ResolvedConditionIds);
        Assert.Equal(MedicalStatus.Examined, recorded.Summary.Status);
        Assert.Equal(inspectedAt.AddDays(30), recorded.Summary.ExaminationDueBy.ToDateTimeOffset());
        Assert.Equal(("FAILED_PRECONDITION", "CASE_MERGED"), (answered.Results[1].Refused.Code, answered.Results[1].Refused.Reason));
        Assert.Contains(survivor.ToString(), answered.Results[1].Refused.Message);
        Assert.Equal("NOT_FOUND", answered.Results[2].Refused.Code);
        Assert.Equal(("INVALID_ARGUMENT", "inspections[3].case_id"), (answered.Results[3].Refused.Code, Assert.Single(answered.Results[3].Refused.FieldViolations).Field));
        Assert.Equal("inspections[4].findings[0].description", Assert.Single(answered.Results[4].Refused.FieldViolations).Field);
        Assert.Equal(1, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.Kind == Registry.Medical.Domain.EncounterKind.Inspection
            && (e.CaseId == good || e.CaseId == merged || e.CaseId == survivor))));

        // The same batch again (a retry after a lost answer): every person's answer again, nothing recorded twice.
        var replayed = await medical.Client.RecordInspectionsAsync(request);

        Assert.True(replayed.Results[0].Recorded.Replayed);
        Assert.Equal(recorded.Encounter, replayed.Results[0].Recorded.Encounter);
        Assert.Equal(answered.Results.Skip(1).Select(r => r.Refused), replayed.Results.Skip(1).Select(r => r.Refused));
        Assert.Equal(1, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.CaseId == good && e.Kind == Registry.Medical.Domain.EncounterKind.Inspection)));

        // The same request_id with another inspection of a person recorded under it: that person is refused, as RecordEncounter would.
        var changed = request.Clone();
        changed.Inspections[0].Notes = "something else";
        var conflict = await medical.Client.RecordInspectionsAsync(changed);
        Assert.Equal("ALREADY_EXISTS", conflict.Results[0].Refused.Code);
    }

    [Fact]
    public async Task The_monthly_clock_counts_from_the_last_inspection_entered_by_batch()
    {
        var first = await RegisteredAsync();
        var second = await RegisteredAsync();
        await IntakeExaminedAsync(first);
        Assert.Equal(ExaminedAt.AddDays(30), (await medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = first.ToString() })).Summary.ExaminationDueBy.ToDateTimeOffset());

        var day25 = await medical.Client.RecordInspectionsAsync(Batch(ExaminedAt.AddDays(25), Person(first), Person(second)));
        Assert.All(day25.Results, r => Assert.Equal(ExaminedAt.AddDays(55), r.Recorded.Summary.ExaminationDueBy.ToDateTimeOffset()));
        Assert.All(day25.Results, r => Assert.Equal(ExaminedAt.AddDays(25), r.Recorded.Summary.LastExaminedAt.ToDateTimeOffset()));

        // An earlier day's inspections entered late do not wind the clock back.
        var late = await medical.Client.RecordInspectionsAsync(Batch(ExaminedAt.AddDays(10), Person(first)));
        Assert.Equal(ExaminedAt.AddDays(55), late.Results[0].Recorded.Summary.ExaminationDueBy.ToDateTimeOffset());
    }

    [Fact]
    public async Task A_person_listed_twice_is_refused_the_second_time_and_a_day_before_a_persons_capture_refuses_that_person()
    {
        var caseId = await RegisteredAsync();
        var twice = new PersonInspection { CaseId = caseId.ToString("N").ToUpperInvariant() };

        var answered = await medical.Client.RecordInspectionsAsync(Batch(ExaminedAt.AddDays(3), Person(caseId), twice));

        Assert.NotNull(answered.Results[0].Recorded);
        Assert.Equal("inspections[1].case_id", Assert.Single(answered.Results[1].Refused.FieldViolations).Field);
        Assert.Equal(1, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.CaseId == caseId)));

        var before = await medical.Client.RecordInspectionsAsync(Batch(CapturedAt.AddDays(-1), Person(caseId)));
        var refused = before.Results[0].Refused;
        Assert.Equal(("INVALID_ARGUMENT", "occurred_at"), (refused.Code, Assert.Single(refused.FieldViolations).Field));
    }

    public static TheoryData<string, Action<RecordInspectionsRequest>> BadBatches => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        { "place", r => r.Place = "" },
        { "place", r => r.Place = new string('x', 201) },
        { "clinician", r => r.Clinician = " " },
        { "clinician", r => r.Clinician = "Dr\u200bX" },
        { "occurred_at", r => r.OccurredAt = null },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)) },
        { "inspections", r => r.Inspections.Clear() },
        { "inspections", r => r.Inspections.AddRange(Enumerable.Range(0, InspectionBatchValidator.MaxPersons).Select(_ => new PersonInspection { CaseId = Guid.NewGuid().ToString() })) },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_batch_names_the_field_and_stores_nothing(string field, Action<RecordInspectionsRequest> spoil)
    {
        var caseId = await RegisteredAsync();
        var request = Batch(ExaminedAt.AddDays(3), Person(caseId));
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordInspectionsAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.CaseId == caseId)));
    }

    [Fact]
    public async Task Inspections_are_the_medics_only()
    {
        var caseId = await RegisteredAsync();
        foreach (var role in new[] { RegistryRoles.Custodian, RegistryRoles.Coordinator })
        {
            var other = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", role));
            var error = await Assert.ThrowsAsync<RpcException>(() => other.RecordInspectionsAsync(Batch(ExaminedAt.AddDays(3), Person(caseId))).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        }

        var medic = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Medic));
        var recorded = (await medic.RecordInspectionsAsync(Batch(ExaminedAt.AddDays(3), Person(caseId)))).Results[0].Recorded;
        Assert.Equal("UA-SBU", recorded.Encounter.RecordedByAgency);
    }

    [Fact]
    public void Each_persons_key_is_derived_from_the_batch_and_the_case_whatever_its_spelling()
    {
        var batch = Guid.Parse("0193c1f4-3b8e-7c4a-9d2e-5f6a7b8c9d0e");
        var caseId = Guid.Parse("7d9f1c40-0c55-4a8e-8f4e-2b1a9c3d5e6f");

        var key = InspectionBatchValidator.ItemRequestId(batch, caseId.ToString());

        Assert.Equal(key, InspectionBatchValidator.ItemRequestId(batch, caseId.ToString("B").ToUpperInvariant()));
        Assert.NotEqual(key, InspectionBatchValidator.ItemRequestId(Guid.NewGuid(), caseId.ToString()));
        Assert.NotEqual(key, InspectionBatchValidator.ItemRequestId(batch, Guid.NewGuid().ToString()));
        Assert.Equal(5, key.Version);
        Assert.Equal(0x80, key.ToByteArray(bigEndian: true)[8] & 0xC0);
    }

    [Fact]
    public async Task A_facility_of_200_prisoners_is_inspected_in_one_call()
    {
        var cases = new List<Guid>();
        for (var i = 0; i < InspectionBatchValidator.MaxPersons; i++)
        {
            var caseId = Guid.NewGuid();
            cases.Add(caseId);
            await medical.Bus.Publisher.Publish(new CaseRegistered
            {
                CaseId = caseId, CaseNumber = $"RC-{i:D6}", FamilyName = "백", GivenNames = "광순", CapturedAt = CapturedAt,
                CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
            });
        }

        await Eventually.TrueAsync(async () => await medical.QueryAsync(db => db.Records.CountAsync(r => cases.Contains(r.CaseId))) == cases.Count,
            TimeSpan.FromSeconds(120), "200 medical records");
        var request = Batch(ExaminedAt.AddDays(5), cases.Select(c => Person(c)).ToArray());

        var clock = Stopwatch.StartNew();
        var answered = await medical.Client.RecordInspectionsAsync(request);
        var first = clock.Elapsed;
        clock.Restart();
        var replayed = await medical.Client.RecordInspectionsAsync(request);
        var replay = clock.Elapsed;

        Assert.All(answered.Results, r => Assert.False(r.Recorded.Replayed));
        Assert.All(replayed.Results, r => Assert.True(r.Recorded.Replayed));
        output.WriteLine($"200 inspections: {first.TotalMilliseconds:F0} ms; the replay: {replay.TotalMilliseconds:F0} ms");
        // The access audit names every person inspected (at most 200 cases per call).
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.AccessEvents.AnyAsync(e => e.Method.EndsWith("/RecordInspections") && e.CaseIds.Length == 200)),
            TimeSpan.FromSeconds(30), "the batch's audit record naming 200 cases");
    }
}
