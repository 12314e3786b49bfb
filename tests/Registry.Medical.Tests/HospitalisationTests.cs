using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>Hospital stays: the summary's HOSPITALISED state and PatientHospitalised / PatientDischarged through the outbox.</summary>
public sealed class HospitalisationTests(MedicalEventsFixture medical) : IClassFixture<MedicalEventsFixture>
{
    private static readonly DateTimeOffset AdmittedAt = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);

    internal static AdmitToHospitalRequest Admission(Guid caseId, DateTimeOffset? at = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Hospital = new Hospital { Name = "Military hospital No. 1", Locality = "Kyiv", Country = "UA" },
        AdmittedAt = Timestamp.FromDateTimeOffset(at ?? AdmittedAt),
        Reason = "Surgery of the fractured mandible",
    };

    private static DischargeFromHospitalRequest Discharge(Guid caseId, DateTimeOffset at) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        DischargedAt = Timestamp.FromDateTimeOffset(at),
        Outcome = DischargeOutcome.Improved,
        Notes = "jaw wired; follow-up in the detention facility's medical unit",
    };

    [Fact]
    public async Task An_admission_makes_the_patient_hospitalised_and_a_discharge_ends_it_each_published_without_clinical_detail()
    {
        var caseId = await medical.RegisteredAsync();
        var medic = medical.As("UA-SBU", RegistryRoles.Medic);

        var admitted = await medic.AdmitToHospitalAsync(Admission(caseId));

        Assert.Equal(MedicalStatus.Hospitalised, admitted.Summary.Status);
        Assert.Equal(AdmittedAt, admitted.Summary.HospitalisedSince.ToDateTimeOffset());
        Assert.Equal("UA-SBU", admitted.Stay.AdmittedByAgency);
        Assert.Null(admitted.Stay.DischargedAt);
        var hospitalised = await medical.Events.WaitForAsync<PatientHospitalised>(e => e.CaseId == caseId, "PatientHospitalised");
        Assert.Equal(AdmittedAt, hospitalised.HospitalisedAt);
        Assert.Equal("Military hospital No. 1, Kyiv, UA", hospitalised.Hospital);
        // What intake's consumer binds to: the contract's own name (intake-patient-hospitalised takes this URN).
        Assert.EndsWith("Registry.Contracts:PatientHospitalised", MessageNames.NameOf(typeof(PatientHospitalised)));
        Assert.Equal(MedicalStatus.Hospitalised, (await medical.SummaryAsync(caseId)).Status);

        var dischargedAt = AdmittedAt.AddDays(9);
        var discharged = await medic.DischargeFromHospitalAsync(Discharge(caseId, dischargedAt));

        Assert.Equal(MedicalStatus.AwaitingExamination, discharged.Summary.Status);
        Assert.Null(discharged.Summary.HospitalisedSince);
        Assert.Equal(dischargedAt, discharged.Stay.DischargedAt.ToDateTimeOffset());
        Assert.Equal(DischargeOutcome.Improved, discharged.Stay.Outcome);
        var left = await medical.Events.WaitForAsync<PatientDischarged>(e => e.CaseId == caseId, "PatientDischarged");
        Assert.Equal((dischargedAt, "Military hospital No. 1, Kyiv, UA"), (left.DischargedAt, left.Hospital));

        var stays = (await medic.ListHospitalStaysAsync(new ListHospitalStaysRequest { CaseId = caseId.ToString(), PageSize = 10 })).Stays;
        var stay = Assert.Single(stays);
        Assert.Equal("Surgery of the fractured mandible", stay.Reason);
        Assert.Equal("UA-SBU", stay.DischargedByAgency);
    }

    [Fact]
    public async Task Hospitalised_takes_precedence_over_under_treatment_and_treatment_shows_again_after_discharge()
    {
        var caseId = await medical.RegisteredAsync();
        await medical.Client.RecordEncounterAsync(new RecordEncounterRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), Kind = EncounterKind.IntakeExamination,
            OccurredAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddHours(-2)), Place = "SBU detention facility medical unit, Kyiv", Clinician = "surgeon on duty",
            Findings = { new ConditionFinding { Kind = ConditionKind.Injury, Description = "Fragment wounds of the lower face and jaw" } },
        });

        Assert.Equal(MedicalStatus.Hospitalised, (await medical.Client.AdmitToHospitalAsync(Admission(caseId))).Summary.Status);
        Assert.Equal(MedicalStatus.UnderTreatment, (await medical.Client.DischargeFromHospitalAsync(Discharge(caseId, AdmittedAt.AddDays(2)))).Summary.Status);
    }

    [Fact]
    public async Task A_second_admission_while_in_hospital_and_a_discharge_without_a_stay_are_refused_and_stays_do_not_overlap()
    {
        var caseId = await medical.RegisteredAsync();
        var noStay = await Assert.ThrowsAsync<RpcException>(() => medical.Client.DischargeFromHospitalAsync(Discharge(caseId, AdmittedAt)).ResponseAsync);
        RpcAssert.RuleViolation(noStay, "NOT_IN_HOSPITAL", $"cases/{caseId}");

        await medical.Client.AdmitToHospitalAsync(Admission(caseId));
        var twice = await Assert.ThrowsAsync<RpcException>(() => medical.Client.AdmitToHospitalAsync(Admission(caseId, AdmittedAt.AddDays(1))).ResponseAsync);
        RpcAssert.RuleViolation(twice, "ALREADY_IN_HOSPITAL", $"cases/{caseId}");

        var early = await Assert.ThrowsAsync<RpcException>(() => medical.Client.DischargeFromHospitalAsync(Discharge(caseId, AdmittedAt.AddHours(-1))).ResponseAsync);
        Assert.Equal("discharged_at", Assert.Single(early.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);

        await medical.Client.DischargeFromHospitalAsync(Discharge(caseId, AdmittedAt.AddDays(5)));
        var overlapping = await Assert.ThrowsAsync<RpcException>(() => medical.Client.AdmitToHospitalAsync(Admission(caseId, AdmittedAt.AddDays(4))).ResponseAsync);
        Assert.Equal("admitted_at", Assert.Single(overlapping.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
        Assert.Equal(1, await medical.QueryAsync(db => db.HospitalStays.CountAsync(s => s.CaseId == caseId)));
    }

    /// <summary>Intake merges <paramref name="merged"/> into <paramref name="survivor"/> (CasesMerged); returns once medical applied it.</summary>
    internal static async Task MergedAsync(MedicalEventsFixture medical, Guid survivor, Guid merged)
    {
        await medical.Bus.Publisher.Publish(new CasesMerged
        {
            SurvivorCaseId = survivor, SurvivorCaseNumber = "RC-S", MergedCaseId = merged, MergedCaseNumber = "RC-M",
            Reason = "same man", MergedAt = MedicalEventsFixture.CapturedAt.AddDays(20),
        });
        await Eventually.TrueAsync(async () => (await medical.SummaryAsync(merged)).Status == MedicalStatus.Merged, TimeSpan.FromSeconds(60), "the merge applied");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_cases_of_one_person_both_in_hospital_merge_into_one_open_stay_the_later_admission_which_a_discharge_ends(bool survivorAdmittedFirst)
    {
        var survivor = await medical.RegisteredAsync();
        var merged = await medical.RegisteredAsync();
        var (first, second) = survivorAdmittedFirst ? (survivor, merged) : (merged, survivor);
        var earlier = (await medical.Client.AdmitToHospitalAsync(Admission(first, AdmittedAt))).Stay;
        var laterRequest = Admission(second, AdmittedAt.AddDays(1));
        laterRequest.Hospital.Name = "Regional clinical hospital";
        var later = (await medical.Client.AdmitToHospitalAsync(laterRequest)).Stay;

        await MergedAsync(medical, survivor, merged);

        // One person, one hospital: the later admission stays open, the earlier ended at it, TRANSFERRED.
        var summary = await medical.SummaryAsync(survivor);
        Assert.Equal((MedicalStatus.Hospitalised, AdmittedAt.AddDays(1)), (summary.Status, summary.HospitalisedSince.ToDateTimeOffset()));
        var stays = (await medical.Client.ListHospitalStaysAsync(new ListHospitalStaysRequest { CaseId = survivor.ToString(), PageSize = 10 })).Stays;
        Assert.Equal([earlier.StayId, later.StayId], stays.Select(s => s.StayId));
        Assert.Equal((AdmittedAt.AddDays(1), DischargeOutcome.Transferred), (stays[0].DischargedAt.ToDateTimeOffset(), stays[0].Outcome));
        var mergedNumber = await medical.QueryAsync(db => db.Records.Where(r => r.CaseId == merged).Select(r => r.CaseNumber).SingleAsync());
        Assert.Contains($"case {mergedNumber} was merged", stays[0].DischargeNotes);
        Assert.Null(stays[1].DischargedAt);
        Assert.Equal(1, await medical.QueryAsync(db => db.HospitalStays.CountAsync(s => s.CaseId == survivor && s.DischargedAt == null)));

        var discharged = await medical.Client.DischargeFromHospitalAsync(Discharge(survivor, AdmittedAt.AddDays(6)));

        Assert.Equal(later.StayId, discharged.Stay.StayId);
        Assert.Equal(MedicalStatus.AwaitingExamination, discharged.Summary.Status);
        Assert.Equal(0, await medical.QueryAsync(db => db.HospitalStays.CountAsync(s => s.CaseId == survivor && s.DischargedAt == null)));
    }

    [Fact]
    public async Task A_retried_admission_replays_the_stay_and_publishes_once_and_a_reused_id_is_refused()
    {
        var caseId = await medical.RegisteredAsync();
        var request = Admission(caseId);
        var first = await medical.Client.AdmitToHospitalAsync(request);

        var retry = await medical.Client.AdmitToHospitalAsync(request);

        Assert.True(retry.Replayed);
        Assert.Equal(first.Stay.StayId, retry.Stay.StayId);
        var reused = request.Clone();
        reused.Reason = "something else";
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => medical.Client.AdmitToHospitalAsync(reused).ResponseAsync)).StatusCode);
        Assert.Equal(1, await medical.QueryAsync(db => db.HospitalStays.CountAsync(s => s.CaseId == caseId)));
        Assert.Equal(1, await medical.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.MessageType == MessageNames.NameOf(typeof(PatientHospitalised)) && m.OrderingKey == caseId.ToString())));
    }

    [Fact]
    public async Task Hospital_stays_are_clinical_only_the_medic_reads_or_writes_them()
    {
        var caseId = await medical.RegisteredAsync();
        foreach (var role in new[] { RegistryRoles.Coordinator, RegistryRoles.Custodian, RegistryRoles.Auditor })
        {
            var other = medical.As("UA-SBU", role);
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => other.AdmitToHospitalAsync(Admission(caseId)).ResponseAsync)).StatusCode);
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
                other.ListHospitalStaysAsync(new ListHospitalStaysRequest { CaseId = caseId.ToString(), PageSize = 1 }).ResponseAsync)).StatusCode);
        }
    }

    public static TheoryData<string, Action<AdmitToHospitalRequest>> BadAdmissions => new()
    {
        { "request_id", r => r.RequestId = "x" },
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        { "case_id", r => r.CaseId = "" },
        { "hospital", r => r.Hospital = null },
        { "hospital.name", r => r.Hospital.Name = "" },
        { "hospital.name", r => r.Hospital.Name = new string('x', 201) },
        { "hospital.locality", r => r.Hospital.Locality = "Kyiv\u2028city" },
        { "hospital.country", r => r.Hospital.Country = "" },
        { "hospital.country", r => r.Hospital.Country = "ZZ" },
        { "hospital.country", r => r.Hospital.Country = "ua" },
        { "admitted_at", r => r.AdmittedAt = null },
        { "admitted_at", r => r.AdmittedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(2)) },
        { "admitted_at", r => r.AdmittedAt = Timestamp.FromDateTimeOffset(MedicalEventsFixture.CapturedAt.AddDays(-1)) },
        { "admitted_at", r => r.AdmittedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1899, 1, 1, 0, 0, 0, TimeSpan.Zero)) },
        { "reason", r => r.Reason = "" },
        { "reason", r => r.Reason = new string('x', 2001) },
        { "reason", r => r.Reason = "surgery\u202e" },
    };

    [Theory]
    [MemberData(nameof(BadAdmissions))]
    public async Task A_bad_admission_names_the_field_and_stores_nothing(string field, Action<AdmitToHospitalRequest> spoil)
    {
        var caseId = await medical.RegisteredAsync();
        var request = Admission(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.AdmitToHospitalAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await medical.QueryAsync(db => db.HospitalStays.CountAsync(s => s.CaseId == caseId)));
        Assert.Equal(MedicalStatus.AwaitingExamination, (await medical.SummaryAsync(caseId)).Status);
    }

    public static TheoryData<string, Action<DischargeFromHospitalRequest>> BadDischarges => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "case_id", r => r.CaseId = "not-a-uuid" },
        { "discharged_at", r => r.DischargedAt = null },
        { "discharged_at", r => r.DischargedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "discharged_at", r => r.DischargedAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddMinutes(-1)) },
        { "outcome", r => r.Outcome = DischargeOutcome.Unspecified },
        { "outcome", r => r.Outcome = DischargeOutcome.Died },
        { "outcome", r => r.Outcome = (DischargeOutcome)42 },
        { "notes", r => r.Notes = new string('x', 4001) },
        { "notes", r => r.Notes = "jaw\u200bwired" },
    };

    [Theory]
    [MemberData(nameof(BadDischarges))]
    public async Task A_bad_discharge_names_the_field_and_leaves_the_patient_in_hospital(string field, Action<DischargeFromHospitalRequest> spoil)
    {
        var caseId = await medical.RegisteredAsync();
        await medical.Client.AdmitToHospitalAsync(Admission(caseId));
        var request = Discharge(caseId, AdmittedAt.AddDays(3));
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.DischargeFromHospitalAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(MedicalStatus.Hospitalised, (await medical.SummaryAsync(caseId)).Status);
        Assert.Equal(1, await medical.QueryAsync(db => db.HospitalStays.CountAsync(s => s.CaseId == caseId && s.DischargedAt == null)));
    }
}
