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
