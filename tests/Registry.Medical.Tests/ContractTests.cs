using Registry.Medical.Domain;
using Registry.Medical.Features.Encounters;
using Registry.Medical.Features.Inspections;
using Registry.ServiceDefaults.Grpc;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>medical.proto and the code say the same: the limits its comments state, the enums the mappings cast.</summary>
public sealed class ContractTests
{
    [Fact]
    public void The_limits_medical_proto_states_are_the_ones_the_code_enforces()
    {
        ContractChecks.AssertStatedLimits("protos/registry/medical/v1/medical.proto", new Dictionary<string, int>
        {
            ["RecordEncounterRequest.place"] = Encounter.PlaceMaxLength,
            ["RecordEncounterRequest.clinician"] = Encounter.ClinicianMaxLength,
            ["RecordEncounterRequest.notes"] = Encounter.NotesMaxLength,
            ["RecordEncounterRequest.findings"] = EncounterValidator.MaxFindings,
            ["RecordEncounterRequest.resolved_condition_ids"] = EncounterValidator.MaxFindings,
            ["ConditionFinding.description"] = Condition.DescriptionMaxLength,
            ["ConditionFinding.body_site"] = Condition.BodySiteMaxLength,
            ["ConditionFinding.cause"] = Condition.CauseMaxLength,
            ["ListEncountersRequest.page_size"] = PageTokens.MaxPageSize,
            // Certificates of treatment.
            ["IssueTreatmentCertificateRequest.condition_ids"] = TreatmentCertificate.MaxConditions,
            ["IssueTreatmentCertificateRequest.nature"] = TreatmentCertificate.NatureMaxLength,
            ["IssueTreatmentCertificateRequest.treatment"] = TreatmentCertificate.TreatmentMaxLength,
            ["IssueTreatmentCertificateRequest.place"] = TreatmentCertificate.PlaceMaxLength,
            ["ListTreatmentCertificatesRequest.page_size"] = PageTokens.MaxPageSize,
            // Hospitalisation, death and enquiries.
            ["Hospital.name"] = HospitalRef.NameMaxLength,
            ["Hospital.locality"] = HospitalRef.LocalityMaxLength,
            ["AdmitToHospitalRequest.reason"] = HospitalStay.ReasonMaxLength,
            ["DischargeFromHospitalRequest.notes"] = HospitalStay.NotesMaxLength,
            ["ListHospitalStaysRequest.page_size"] = PageTokens.MaxPageSize,
            ["DeathCertificate.number"] = DeathCertificate.NumberMaxLength,
            ["DeathCertificate.issued_by"] = DeathCertificate.IssuedByMaxLength,
            ["RecordDeathRequest.place"] = Death.PlaceMaxLength,
            ["RecordDeathRequest.cause"] = Death.CauseMaxLength,
            ["OpenEnquiryRequest.circumstances"] = Enquiry.CircumstancesMaxLength,
            ["CloseEnquiryRequest.findings"] = Enquiry.FindingsMaxLength,
            ["ListEnquiriesRequest.page_size"] = PageTokens.MaxPageSize,
            // Fitness assessments and batch inspections.
            ["AssessFitnessRequest.conditions"] = FitnessAssessment.ConditionsMaxLength,
            ["AssessFitnessRequest.clinical_reasons"] = FitnessAssessment.ClinicalReasonsMaxLength,
            ["AssessFitnessRequest.valid_until"] = (int)FitnessAssessment.MaxValidity.TotalDays,
            ["AssessFitnessRequest.assessed_by"] = FitnessAssessment.AssessedByMaxLength,
            ["ListFitnessAssessmentsRequest.page_size"] = PageTokens.MaxPageSize,
            ["RecordInspectionsRequest.place"] = Encounter.PlaceMaxLength,
            ["RecordInspectionsRequest.clinician"] = Encounter.ClinicianMaxLength,
            ["RecordInspectionsRequest.inspections"] = InspectionBatchValidator.MaxPersons,
            ["PersonInspection.notes"] = Encounter.NotesMaxLength,
            ["PersonInspection.findings"] = EncounterValidator.MaxFindings,
            ["PersonInspection.resolved_condition_ids"] = EncounterValidator.MaxFindings,
            ["ListOverdueInspectionsRequest.page_size"] = PageTokens.MaxPageSize,
            ["MarkSeriouslyIllRequest.grounds"] = SeriousIllness.GroundsMaxLength,
            ["UnmarkSeriouslyIllRequest.note"] = SeriousIllness.EndNoteMaxLength,
            ["RecordWeeklyHealthReportRequest.notes"] = WeeklyHealthReport.NotesMaxLength,
            ["ListWeeklyHealthReportsRequest.page_size"] = PageTokens.MaxPageSize,
        });
    }

    [Fact]
    public void Medical_enums_cast_to_the_contract_value_of_the_same_name()
    {
        ContractChecks.AssertAligned<MedicalStatus, Protos.Medical.V1.MedicalStatus>();
        ContractChecks.AssertAligned<EncounterKind, Protos.Medical.V1.EncounterKind>();
        ContractChecks.AssertAligned<ConditionKind, Protos.Medical.V1.ConditionKind>();
        ContractChecks.AssertAligned<Severity, Protos.Medical.V1.Severity>();
        ContractChecks.AssertAligned<FitnessPurpose, Protos.Medical.V1.FitnessPurpose>();
        ContractChecks.AssertAligned<FitnessOutcome, Protos.Medical.V1.FitnessOutcome>();
        ContractChecks.AssertAligned<HealthState, Protos.Medical.V1.HealthState>();
    }
}
