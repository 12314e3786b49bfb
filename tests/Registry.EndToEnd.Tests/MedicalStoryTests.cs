using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using UglyToad.PdfPig;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The seed story's medical facts, each agency with its own token through the gateway: the security service's medic
/// examines both men and treats the sniper's face and jaw wounds; he is hospitalised for surgery (intake then owes a
/// capture card for the hospitalisation, GC III Art. 70) and discharged; both are assessed fit for interview; the
/// sniper asks for a certificate of treatment (Art. 30) and gets it in Korean, as a PDF whose text reads back. The
/// custodian and the coordinator read what they need (the summary's states and dates, the fitness answer) and never
/// the clinical detail.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class MedicalStoryTests(RegistryFixture registry)
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset AdmittedAt = new(2025, 1, 12, 18, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset ExaminedAt = new(2025, 1, 12, 20, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset TreatedAt = new(2025, 1, 13, 10, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset HospitalisedAt = new(2025, 1, 14, 8, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset DischargedAt = new(2025, 1, 24, 11, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset AssessedAt = new(2025, 1, 27, 9, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset CertificateRequestedAt = new(2025, 1, 28, 9, 0, 0, TimeSpan.FromHours(2));

    private IntakeService.IntakeServiceClient Officer => new(TestCallers.As(registry.GatewayRawChannel, "UA-SSO", RegistryRoles.IntakeOfficer));
    private CustodyService.CustodyServiceClient CustodianCustody => new(TestCallers.As(registry.GatewayRawChannel, "UA-SBU", RegistryRoles.Custodian));
    private MedicalService.MedicalServiceClient Custodian => new(TestCallers.As(registry.GatewayRawChannel, "UA-SBU", RegistryRoles.Custodian));
    private MedicalService.MedicalServiceClient Medic => new(TestCallers.As(registry.GatewayRawChannel, "UA-SBU", RegistryRoles.Medic));
    private IntakeService.IntakeServiceClient CoordinatorIntake => new(TestCallers.As(registry.GatewayRawChannel, "UA-POW-HQ", RegistryRoles.Coordinator));
    private CaseFileService.CaseFileServiceClient Coordinator => new(TestCallers.As(registry.GatewayRawChannel, "UA-POW-HQ", RegistryRoles.Coordinator));

    [Fact]
    public async Task The_sniper_is_treated_hospitalised_discharged_found_fit_for_interview_and_given_a_korean_certificate_each_agency_seeing_its_part()
    {
        var sniper = (await Officer.RegisterCaptureAsync(SeedStory.SniperStated(), deadline: RegistryFixture.CallDeadline)).Case;
        var rifleman = (await Officer.RegisterCaptureAsync(SeedStory.Rifleman(), deadline: RegistryFixture.CallDeadline)).Case;
        foreach (var person in new[] { sniper, rifleman })
        {
            await CaseFileTests.WholeCaseFileAsync(Coordinator, person.CaseId);
            await CustodianCustody.AdmitToFacilityAsync(new AdmitToFacilityRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = person.CaseId, CustodianAgency = "UA-SBU",
                Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
                AdmittedAt = Timestamp.FromDateTimeOffset(AdmittedAt),
            }, deadline: RegistryFixture.CallDeadline);
        }

        // Both are examined on arrival; the sniper has the grenade's face and jaw wounds, treated the next morning.
        var examination = await Medic.RecordEncounterAsync(Encounter(sniper.CaseId, EncounterKind.IntakeExamination, ExaminedAt,
            new ConditionFinding
            {
                Kind = ConditionKind.Injury, Description = "Fragment wounds of the face and jaw", BodySite = "face, jaw",
                Cause = "grenade detonated near the face at capture", Severity = Severity.Severe,
            }), deadline: RegistryFixture.CallDeadline);
        var injury = Assert.Single(examination.Conditions);
        await Medic.RecordEncounterAsync(Encounter(rifleman.CaseId, EncounterKind.IntakeExamination, ExaminedAt), deadline: RegistryFixture.CallDeadline);
        var treatment = Encounter(sniper.CaseId, EncounterKind.Treatment, TreatedAt);
        treatment.Notes = "Wound debridement; antibiotics.";
        await Medic.RecordEncounterAsync(treatment, deadline: RegistryFixture.CallDeadline);

        // Hospitalised for surgery on the jaw: the custodian sees that and since when, not why.
        var hospitalised = await Medic.AdmitToHospitalAsync(new AdmitToHospitalRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = sniper.CaseId,
            Hospital = new Hospital { Name = "Main military clinical hospital", Locality = "Kyiv", Country = "UA" },
            AdmittedAt = Timestamp.FromDateTimeOffset(HospitalisedAt), Reason = "Open reduction and fixation of the mandible",
        }, deadline: RegistryFixture.CallDeadline);
        var inHospital = (await Custodian.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = sniper.CaseId }, deadline: RegistryFixture.CallDeadline)).Summary;
        Assert.Equal((MedicalStatus.Hospitalised, HospitalisedAt), (inHospital.Status, inHospital.HospitalisedSince.ToDateTimeOffset()));
        Assert.Equal(PermissionDenied, await RefusedAsync(() => Custodian.ListHospitalStaysAsync(
            new ListHospitalStaysRequest { CaseId = sniper.CaseId, PageSize = 10 }, deadline: RegistryFixture.CallDeadline).ResponseAsync));

        // Intake followed PatientHospitalised from medical's outbox: a capture card is owed for the hospitalisation (Art. 70).
        var card = await Eventually.GetAsync(async () =>
            (await CoordinatorIntake.ListOverdueAsync(new ListOverdueRequest { PageSize = 500 }, deadline: RegistryFixture.CallDeadline)).Items
                .SingleOrDefault(i => i.CaseId == sniper.CaseId && i.Kind == OverdueKind.CaptureCard && i.Reason == "hospitalisation"),
            Propagation, "the capture card owed for the sniper's hospitalisation");
        Assert.Equal(HospitalisedAt.AddDays(7), card.DueAt.ToDateTimeOffset());

        await Medic.DischargeFromHospitalAsync(new DischargeFromHospitalRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = sniper.CaseId, DischargedAt = Timestamp.FromDateTimeOffset(DischargedAt),
            Outcome = DischargeOutcome.Improved, Notes = "Mandible fixed; soft diet for four weeks.",
        }, deadline: RegistryFixture.CallDeadline);
        Assert.Equal(hospitalised.Stay.StayId, Assert.Single((await Medic.ListHospitalStaysAsync(
            new ListHospitalStaysRequest { CaseId = sniper.CaseId, PageSize = 10 }, deadline: RegistryFixture.CallDeadline)).Stays).StayId);

        // Both are found fit for interview (Art. 17); the custodian asks before questioning and gets the answer without reasons.
        foreach (var person in new[] { sniper, rifleman })
        {
            await Medic.AssessFitnessAsync(new AssessFitnessRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = person.CaseId, Purpose = FitnessPurpose.Interview, Outcome = FitnessOutcome.Fit,
                ClinicalReasons = person == sniper ? "Mandible healing after fixation; speech intelligible." : "",
                AssessedAt = Timestamp.FromDateTimeOffset(AssessedAt), ValidUntil = Timestamp.FromDateTimeOffset(AssessedAt.AddDays(30)),
                AssessedBy = "Olena Koval, military surgeon",
            }, deadline: RegistryFixture.CallDeadline);
            var answer = await Custodian.GetFitnessAsync(new GetFitnessRequest
            {
                CaseId = person.CaseId, Purpose = FitnessPurpose.Interview, At = Timestamp.FromDateTimeOffset(CertificateRequestedAt),
            }, deadline: RegistryFixture.CallDeadline);
            Assert.Equal((FitnessStanding.InForce, FitnessOutcome.Fit, AssessedAt.AddDays(30), ""),
                (answer.Standing, answer.Assessment.Outcome, answer.Assessment.ValidUntil.ToDateTimeOffset(), answer.Assessment.ClinicalReasons));
        }

        var medicsView = await Medic.GetFitnessAsync(new GetFitnessRequest
        {
            CaseId = sniper.CaseId, Purpose = FitnessPurpose.Interview, At = Timestamp.FromDateTimeOffset(CertificateRequestedAt),
        }, deadline: RegistryFixture.CallDeadline);
        Assert.Contains("Mandible healing", medicsView.Assessment.ClinicalReasons);

        // He asks for a certificate of treatment (Art. 30) and gets it with his copy in Korean.
        var issued = (await Medic.IssueTreatmentCertificateAsync(new IssueTreatmentCertificateRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = sniper.CaseId, RequestedAt = Timestamp.FromDateTimeOffset(CertificateRequestedAt),
            ConditionIds = { injury.ConditionId }, Treatment = "Wound debridement, antibiotics; open reduction and fixation of the mandible",
            TreatmentFrom = Timestamp.FromDateTimeOffset(ExaminedAt), TreatmentTo = Timestamp.FromDateTimeOffset(DischargedAt),
            Place = "SBU detention facility medical unit and Main military clinical hospital, Kyiv",
            MedicName = "Olena Koval", MedicFunction = "military surgeon", Language = "ko",
        }, deadline: RegistryFixture.CallDeadline)).Certificate;
        Assert.Equal(("UA-SBU", "ko"), (issued.IssuedByAgency, issued.Language));
        var pdf = await Medic.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = issued.CertificateId }, deadline: RegistryFixture.CallDeadline);
        Assert.Equal("application/pdf", pdf.ContentType);
        string prisonersCopy;
        using (var document = PdfDocument.Open(pdf.Content.ToByteArray()))
        {
            prisonersCopy = Regex.Replace(document.GetPage(1).Text, @"\s+", "");
        }

        foreach (var expected in new[] { "치료증명서", issued.Number, sniper.CaseNumber, "백", "광순", "Fragmentwoundsofthefaceandjaw", "2025-01-12~2025-01-24", "OlenaKoval" })
        {
            Assert.Contains(expected, prisonersCopy);
        }

        Assert.Equal(PermissionDenied, await RefusedAsync(() => Custodian.RenderTreatmentCertificateAsync(
            new RenderTreatmentCertificateRequest { CertificateId = issued.CertificateId }, deadline: RegistryFixture.CallDeadline).ResponseAsync));

        // The coordinator's case file: out of hospital, under treatment for the injury still active; no clinical detail.
        var file = (await Coordinator.GetCaseFileAsync(new GetCaseFileRequest { CaseId = sniper.CaseId }, deadline: RegistryFixture.CallDeadline)).CaseFile;
        Assert.Equal(MedicalStatus.UnderTreatment, file.Medical.Summary.Status);
        Assert.Null(file.Medical.Summary.HospitalisedSince);
        Assert.Equal(ExaminedAt.AddDays(30), file.Medical.Summary.ExaminationDueBy.ToDateTimeOffset());
        Assert.DoesNotContain("jaw", file.Medical.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("mandible", file.Medical.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private const StatusCode PermissionDenied = StatusCode.PermissionDenied;

    private static RecordEncounterRequest Encounter(string caseId, EncounterKind kind, DateTimeOffset at, params ConditionFinding[] findings) => new()
    {
        RequestId = Guid.NewGuid().ToString(), CaseId = caseId, Kind = kind, OccurredAt = Timestamp.FromDateTimeOffset(at),
        Place = "SBU detention facility medical unit, Kyiv", Clinician = "Olena Koval, military surgeon", Findings = { findings },
    };

    private static async Task<StatusCode> RefusedAsync(Func<Task> call) => (await Assert.ThrowsAsync<RpcException>(call)).StatusCode;
}
