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

/// <summary>A death with its certificate (GC III Art. 120): final on the record, published as DeathRecorded.</summary>
public sealed class DeathTests(MedicalEventsFixture medical) : IClassFixture<MedicalEventsFixture>
{
    internal static readonly DateTimeOffset DiedAt = new(2025, 2, 3, 4, 15, 0, TimeSpan.Zero);

    internal static RecordDeathRequest Death(Guid caseId, DeathManner manner = DeathManner.Wounds) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        DiedAt = Timestamp.FromDateTimeOffset(DiedAt),
        Place = "Military hospital No. 1, Kyiv",
        Cause = "Sepsis following fragment wounds of the face and jaw",
        Manner = manner,
        Certificate = new DeathCertificate
        {
            Number = "DC-2025-0042", IssuedBy = "Maj. O. Kovalenko, chief surgeon", IssuedAt = Timestamp.FromDateTimeOffset(DiedAt.AddHours(6)),
        },
    };

    [Fact]
    public async Task A_death_makes_the_record_deceased_and_final_and_is_published_with_what_the_certificate_says()
    {
        var caseId = await medical.RegisteredAsync();
        var medic = medical.As("UA-SBU", RegistryRoles.Medic);
        var request = Death(caseId);

        var recorded = await medic.RecordDeathAsync(request);

        Assert.Equal(MedicalStatus.Deceased, recorded.Summary.Status);
        Assert.Equal(DiedAt, recorded.Summary.DiedAt.ToDateTimeOffset());
        // No monthly inspection is owed to the dead (GC III Art. 31): the summary names no due date.
        Assert.Null(recorded.Summary.ExaminationDueBy);
        Assert.Equal("UA-SBU", recorded.Death.CertifiedByAgency);
        Assert.Null(recorded.Enquiry);
        var published = await medical.Events.WaitForAsync<DeathRecorded>(e => e.CaseId == caseId, "DeathRecorded");
        Assert.Equal((DiedAt, "Military hospital No. 1, Kyiv", "Sepsis following fragment wounds of the face and jaw"), (published.DiedAt, published.Place, published.Cause));
        Assert.Equal(("DC-2025-0042", "Maj. O. Kovalenko, chief surgeon", DiedAt.AddHours(6)),
            (published.CertificateNumber, published.CertificateIssuedBy, published.CertificateIssuedAt));
        Assert.Null(published.EnquiryReference);

        // The certificate goes to the Information Bureau (the coordinator); the custodian sees only the summary.
        var coordinator = medical.As("UA-COORD", RegistryRoles.Coordinator);
        Assert.Equal(recorded.Death, (await coordinator.GetDeathAsync(new GetDeathRequest { CaseId = caseId.ToString() })).Death);
        var custodian = medical.As("UA-SBU", RegistryRoles.Custodian);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            custodian.GetDeathAsync(new GetDeathRequest { CaseId = caseId.ToString() }).ResponseAsync)).StatusCode);
        Assert.Equal(MedicalStatus.Deceased, (await new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Custodian))
            .GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary.Status);

        // A retry replays; every later write on the record is refused.
        Assert.True((await medic.RecordDeathAsync(request)).Replayed);
        RpcAssert.RuleViolation(await Assert.ThrowsAsync<RpcException>(() => medic.RecordDeathAsync(Death(caseId)).ResponseAsync), "PATIENT_DECEASED", $"cases/{caseId}");
        var encounter = new RecordEncounterRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), Kind = EncounterKind.Treatment,
            OccurredAt = Timestamp.FromDateTimeOffset(DiedAt.AddHours(1)), Place = "mortuary", Clinician = "pathologist",
        };
        RpcAssert.RuleViolation(await Assert.ThrowsAsync<RpcException>(() => medic.RecordEncounterAsync(encounter).ResponseAsync), "PATIENT_DECEASED", $"cases/{caseId}");
        RpcAssert.RuleViolation(await Assert.ThrowsAsync<RpcException>(() =>
            medic.AdmitToHospitalAsync(HospitalisationTests.Admission(caseId, DiedAt.AddHours(-1))).ResponseAsync), "PATIENT_DECEASED", $"cases/{caseId}");
        Assert.Equal(1, await medical.QueryAsync(db => db.Deaths.CountAsync(d => d.CaseId == caseId)));
        Assert.Equal(0, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.CaseId == caseId)));
    }

    [Fact]
    public async Task A_death_in_hospital_ends_the_stay_at_the_death_without_a_discharge_event()
    {
        var caseId = await medical.RegisteredAsync();
        var admitted = await medical.Client.AdmitToHospitalAsync(HospitalisationTests.Admission(caseId, DiedAt.AddDays(-3)));

        var recorded = await medical.Client.RecordDeathAsync(Death(caseId));

        Assert.Equal(admitted.Stay.StayId, recorded.Death.EndedStayId);
        Assert.Null(recorded.Summary.HospitalisedSince);
        var stay = Assert.Single((await medical.Client.ListHospitalStaysAsync(new ListHospitalStaysRequest { CaseId = caseId.ToString(), PageSize = 5 })).Stays);
        Assert.Equal((DiedAt, DischargeOutcome.Died), (stay.DischargedAt.ToDateTimeOffset(), stay.Outcome));
        await medical.Events.WaitForAsync<DeathRecorded>(e => e.CaseId == caseId, "DeathRecorded");
        Assert.Equal(0, await medical.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.MessageType == MessageNames.NameOf(typeof(PatientDischarged)) && m.OrderingKey == caseId.ToString())));
    }

    [Fact]
    public async Task A_death_before_the_admission_of_the_stay_still_open_is_refused()
    {
        var caseId = await medical.RegisteredAsync();
        await medical.Client.AdmitToHospitalAsync(HospitalisationTests.Admission(caseId, DiedAt.AddHours(1)));

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordDeathAsync(Death(caseId)).ResponseAsync);

        Assert.Equal("died_at", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
        Assert.Equal(MedicalStatus.Hospitalised, (await medical.SummaryAsync(caseId)).Status);
    }

    private static string Ts(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ");

    /// <summary>A dated fact entered on a record one day after <see cref="DiedAt"/>, and what a refused death names it.</summary>
    public static TheoryData<string, Func<MedicalService.MedicalServiceClient, Guid, DateTimeOffset, Task>> LaterFacts => new()
    {
        { "an encounter", (m, c, at) => m.RecordEncounterAsync(new RecordEncounterRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = c.ToString(), Kind = EncounterKind.IntakeExamination,
                OccurredAt = Timestamp.FromDateTimeOffset(at), Place = "Camp 7 medical unit", Clinician = "surgeon on duty",
            }).ResponseAsync },
        { "a discharge from hospital", async (m, c, at) =>
            {
                await m.AdmitToHospitalAsync(HospitalisationTests.Admission(c, at.AddDays(-5)));
                await m.DischargeFromHospitalAsync(new DischargeFromHospitalRequest
                {
                    RequestId = Guid.NewGuid().ToString(), CaseId = c.ToString(), DischargedAt = Timestamp.FromDateTimeOffset(at), Outcome = DischargeOutcome.Recovered,
                });
            } },
        { "a fitness assessment", (m, c, at) => m.AssessFitnessAsync(new AssessFitnessRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = c.ToString(), Purpose = FitnessPurpose.Transfer, Outcome = FitnessOutcome.Fit,
                AssessedAt = Timestamp.FromDateTimeOffset(at), ValidUntil = Timestamp.FromDateTimeOffset(at.AddDays(60)), AssessedBy = "Dr O. Kovalenko",
            }).ResponseAsync },
        { "the mark seriously ill or wounded", (m, c, at) => m.MarkSeriouslyIllAsync(new MarkSeriouslyIllRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = c.ToString(), Since = Timestamp.FromDateTimeOffset(at), Grounds = "septic",
            }).ResponseAsync },
        { "a weekly health report", async (m, c, at) =>
            {
                await m.MarkSeriouslyIllAsync(new MarkSeriouslyIllRequest
                {
                    RequestId = Guid.NewGuid().ToString(), CaseId = c.ToString(), Since = Timestamp.FromDateTimeOffset(at.AddDays(-10)), Grounds = "septic",
                });
                await m.RecordWeeklyHealthReportAsync(new RecordWeeklyHealthReportRequest
                {
                    RequestId = Guid.NewGuid().ToString(), CaseId = c.ToString(), ReportedAt = Timestamp.FromDateTimeOffset(at), State = HealthState.Stable,
                });
            } },
        { "the request of a certificate of treatment", (m, c, at) => m.IssueTreatmentCertificateAsync(new IssueTreatmentCertificateRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = c.ToString(), RequestedAt = Timestamp.FromDateTimeOffset(at), Nature = "Fragment wounds of the jaw",
                Treatment = "Dressing", TreatmentFrom = Timestamp.FromDateTimeOffset(at.AddDays(-5)), Place = "Kyiv", MedicName = "O. Kovalenko",
                MedicFunction = "surgeon", Language = "en",
            }).ResponseAsync },
        { "a serious injury under enquiry", (m, c, at) => m.OpenEnquiryAsync(new OpenEnquiryRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = c.ToString(), Grounds = EnquiryGrounds.SeriousInjuryCausedByGuard,
                OccurredAt = Timestamp.FromDateTimeOffset(at), Circumstances = "Struck by a sentry",
            }).ResponseAsync },
    };

    [Theory]
    [MemberData(nameof(LaterFacts))]
    public async Task A_death_before_the_latest_dated_fact_on_the_record_is_refused_naming_it(string what, Func<MedicalService.MedicalServiceClient, Guid, DateTimeOffset, Task> enter)
    {
        var caseId = await medical.RegisteredAsync();
        var medic = medical.As("UA-SBU", RegistryRoles.Medic);
        var factAt = DiedAt.AddDays(1);
        await enter(medic, caseId, factAt);

        var error = await Assert.ThrowsAsync<RpcException>(() => medic.RecordDeathAsync(Death(caseId)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("died_at", violation.Field);
        Assert.Contains($"{what} at {Ts(factAt)}", violation.Description);
        Assert.Equal(0, await medical.QueryAsync(db => db.Deaths.CountAsync(d => d.CaseId == caseId)));
        Assert.NotEqual(MedicalStatus.Deceased, (await medical.SummaryAsync(caseId)).Status);

        // Not before it: the death is the last fact, and stands.
        var after = Death(caseId);
        after.DiedAt = Timestamp.FromDateTimeOffset(factAt);
        after.Certificate.IssuedAt = Timestamp.FromDateTimeOffset(factAt.AddHours(6));
        Assert.Equal(MedicalStatus.Deceased, (await medic.RecordDeathAsync(after)).Summary.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_merge_ends_the_open_stay_under_one_case_at_the_death_recorded_under_the_other(bool survivorDied)
    {
        var survivor = await medical.RegisteredAsync();
        var merged = await medical.RegisteredAsync();
        var (dead, inHospital) = survivorDied ? (survivor, merged) : (merged, survivor);
        var stay = (await medical.Client.AdmitToHospitalAsync(HospitalisationTests.Admission(inHospital, DiedAt.AddDays(-3)))).Stay;
        var death = (await medical.Client.RecordDeathAsync(Death(dead))).Death;

        await HospitalisationTests.MergedAsync(medical, survivor, merged);

        var summary = await medical.SummaryAsync(survivor);
        Assert.Equal(MedicalStatus.Deceased, summary.Status);
        Assert.Null(summary.HospitalisedSince);
        var ended = Assert.Single((await medical.Client.ListHospitalStaysAsync(new ListHospitalStaysRequest { CaseId = survivor.ToString(), PageSize = 5 })).Stays);
        Assert.Equal((stay.StayId, DiedAt, DischargeOutcome.Died), (ended.StayId, ended.DischargedAt.ToDateTimeOffset(), ended.Outcome));
        var standing = (await medical.Client.GetDeathAsync(new GetDeathRequest { CaseId = survivor.ToString() })).Death;
        Assert.Equal((death.RecordedAt, death.CaseId, stay.StayId), (standing.RecordedAt, dead.ToString(), standing.EndedStayId));
    }

    [Fact]
    public async Task After_a_merge_of_two_cases_in_hospital_a_death_ends_the_one_stay_left_open()
    {
        var survivor = await medical.RegisteredAsync();
        var merged = await medical.RegisteredAsync();
        await medical.Client.AdmitToHospitalAsync(HospitalisationTests.Admission(survivor, DiedAt.AddDays(-4)));
        var later = (await medical.Client.AdmitToHospitalAsync(HospitalisationTests.Admission(merged, DiedAt.AddDays(-2)))).Stay;
        await HospitalisationTests.MergedAsync(medical, survivor, merged);

        var recorded = await medical.Client.RecordDeathAsync(Death(survivor));

        Assert.Equal(later.StayId, recorded.Death.EndedStayId);
        var stays = (await medical.Client.ListHospitalStaysAsync(new ListHospitalStaysRequest { CaseId = survivor.ToString(), PageSize = 5 })).Stays;
        Assert.Equal([(DiedAt.AddDays(-2), DischargeOutcome.Transferred), (DiedAt, DischargeOutcome.Died)],
            stays.Select(s => (s.DischargedAt.ToDateTimeOffset(), s.Outcome)));
    }

    [Fact]
    public async Task Two_deaths_recorded_at_once_store_one()
    {
        var caseId = await medical.RegisteredAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            try
            {
                await medical.Client.RecordDeathAsync(Death(caseId));
                return "recorded";
            }
            catch (RpcException e)
            {
                return e.StatusCode.ToString();
            }
        }));

        Assert.Equal(1, results.Count(r => r == "recorded"));
        Assert.All(results.Where(r => r != "recorded"), r => Assert.Equal(nameof(StatusCode.FailedPrecondition), r));
        Assert.Equal(1, await medical.QueryAsync(db => db.Deaths.CountAsync(d => d.CaseId == caseId)));
    }

    [Fact]
    public async Task Only_the_medic_records_a_death()
    {
        var caseId = await medical.RegisteredAsync();
        var coordinator = medical.As("UA-COORD", RegistryRoles.Coordinator);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => coordinator.RecordDeathAsync(Death(caseId)).ResponseAsync)).StatusCode);
    }

    public static TheoryData<string, Action<RecordDeathRequest>> BadDeaths => new()
    {
        { "request_id", r => r.RequestId = "x" },
        { "case_id", r => r.CaseId = "" },
        { "died_at", r => r.DiedAt = null },
        { "died_at", r => r.DiedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)) },
        { "died_at", r => r.DiedAt = Timestamp.FromDateTimeOffset(MedicalEventsFixture.CapturedAt.AddHours(-1)) },
        { "place", r => r.Place = "" },
        { "place", r => r.Place = new string('x', 201) },
        { "cause", r => r.Cause = "" },
        { "cause", r => r.Cause = new string('x', 501) },
        { "cause", r => r.Cause = "sepsis\u2029" + "x" },
        { "manner", r => r.Manner = DeathManner.Unspecified },
        { "manner", r => r.Manner = (DeathManner)99 },
        { "certificate", r => r.Certificate = null },
        { "certificate.number", r => r.Certificate.Number = "" },
        { "certificate.number", r => r.Certificate.Number = new string('9', 65) },
        { "certificate.issued_by", r => r.Certificate.IssuedBy = "" },
        { "certificate.issued_at", r => r.Certificate.IssuedAt = null },
        { "certificate.issued_at", r => r.Certificate.IssuedAt = Timestamp.FromDateTimeOffset(DiedAt.AddMinutes(-1)) },
        { "certificate.issued_at", r => r.Certificate.IssuedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
    };

    [Theory]
    [MemberData(nameof(BadDeaths))]
    public async Task A_bad_death_names_the_field_and_stores_nothing(string field, Action<RecordDeathRequest> spoil)
    {
        var caseId = await medical.RegisteredAsync();
        var request = Death(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordDeathAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await medical.QueryAsync(db => db.Deaths.CountAsync(d => d.CaseId == caseId)));
        Assert.Equal(MedicalStatus.AwaitingExamination, (await medical.SummaryAsync(caseId)).Status);
    }

    [Fact]
    public async Task GetDeath_of_a_living_person_is_not_found()
    {
        var caseId = await medical.RegisteredAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.GetDeathAsync(new GetDeathRequest { CaseId = caseId.ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public void The_enums_of_hospitalisation_death_and_enquiries_cast_to_the_contract_value_of_the_same_name()
    {
        ContractChecks.AssertAligned<Registry.Medical.Domain.DischargeOutcome, DischargeOutcome>();
        ContractChecks.AssertAligned<Registry.Medical.Domain.DeathManner, DeathManner>();
        ContractChecks.AssertAligned<Registry.Medical.Domain.EnquiryGrounds, EnquiryGrounds>();
        ContractChecks.AssertAligned<Registry.Medical.Domain.EnquiryStatus, EnquiryStatus>();
    }
}
