using Grpc.Core;
using Registry.Medical.Data;
using Registry.Medical.Features.Certificates;
using Registry.Medical.Features.Deaths;
using Registry.Medical.Features.Encounters;
using Registry.Medical.Features.Enquiries;
using Registry.Medical.Features.Hospitalisation;
using Registry.Medical.Features.Fitness;
using Registry.Medical.Features.Inspections;
using Registry.Medical.Features.Records;
using Registry.Medical.Features.SeriouslyIll;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Grpc;

/// <summary>
/// The medical service's gRPC surface: an adapter that validates, calls the feature's handler and maps the
/// answer. The summary is for every authorised role; the record and the encounters carry clinical detail
/// (GC III Art. 30, 31) and are the medical service's own.
/// </summary>
public sealed class MedicalGrpcService(
    MedicalDbContext db,
    TimeProvider clock,
    RecordEncounterHandler record,
    GetMedicalRecordHandler medicalRecord,
    ListEncountersHandler encounters,
    IssueTreatmentCertificateHandler issueCertificate,
    TreatmentCertificateQueries certificates,
    CertificateDocument certificateDocument,
    AdmitToHospitalHandler admitToHospital,
    DischargeFromHospitalHandler dischargeFromHospital,
    ListHospitalStaysHandler hospitalStays,
    RecordDeathHandler recordDeath,
    GetDeathHandler death,
    OpenEnquiryHandler openEnquiry,
    CloseEnquiryHandler closeEnquiry,
    ListEnquiriesHandler enquiries,
    AssessFitnessHandler assessFitness,
    ListFitnessAssessmentsHandler fitnessAssessments,
    GetFitnessHandler fitness,
    RecordInspectionsHandler inspections,
    ListOverdueInspectionsHandler overdueInspections,
    MarkSeriouslyIllHandler markSeriouslyIll,
    UnmarkSeriouslyIllHandler unmarkSeriouslyIll,
    RecordWeeklyHealthReportHandler weeklyReport,
    ListWeeklyHealthReportsHandler weeklyReports)
    : MedicalService.MedicalServiceBase
{
    public override async Task<GetMedicalSummaryResponse> GetMedicalSummary(GetMedicalSummaryRequest request, ServerCallContext context)
    {
        var found = await db.FindRecordAsync(CaseIdOf(request.CaseId), tracked: false, context.CancellationToken);
        return new GetMedicalSummaryResponse { Summary = found.ToSummary() };
    }

    public override async Task<RecordEncounterResponse> RecordEncounter(RecordEncounterRequest request, ServerCallContext context)
    {
        var entry = EncounterValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await record.HandleAsync(entry, AccessContext.Caller(context), context.CancellationToken);
        return result.ToProto();
    }

    public override async Task<GetMedicalRecordResponse> GetMedicalRecord(GetMedicalRecordRequest request, ServerCallContext context)
    {
        var (found, conditions) = await medicalRecord.HandleAsync(CaseIdOf(request.CaseId), context.CancellationToken);
        var response = new GetMedicalRecordResponse { Summary = found.ToSummary() };
        response.Conditions.AddRange(conditions.Select(c => c.ToProto()));
        return response;
    }

    public override async Task<ListEncountersResponse> ListEncounters(ListEncountersRequest request, ServerCallContext context)
    {
        var (page, conditions) = await encounters.HandleAsync(
            CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "encounters"), context.CancellationToken);
        var response = new ListEncountersResponse { NextPageToken = page.NextPageToken };
        response.Encounters.AddRange(page.Items.Select(e => e.ToProto(conditions)));
        return response;
    }

    // Hospitalisation, death (GC III Art. 120, 121) and enquiries.
    public override async Task<AdmitToHospitalResponse> AdmitToHospital(AdmitToHospitalRequest request, ServerCallContext context)
    {
        var admission = HospitalisationValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await admitToHospital.HandleAsync(admission, AccessContext.Caller(context), context.CancellationToken);
        return new AdmitToHospitalResponse { Stay = result.Stay.ToProto(), Summary = result.Record.ToSummary(), Replayed = result.Replayed };
    }

    public override async Task<DischargeFromHospitalResponse> DischargeFromHospital(DischargeFromHospitalRequest request, ServerCallContext context)
    {
        var discharge = HospitalisationValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await dischargeFromHospital.HandleAsync(discharge, AccessContext.Caller(context), context.CancellationToken);
        return new DischargeFromHospitalResponse { Stay = result.Stay.ToProto(), Summary = result.Record.ToSummary(), Replayed = result.Replayed };
    }

    public override async Task<ListHospitalStaysResponse> ListHospitalStays(ListHospitalStaysRequest request, ServerCallContext context)
    {
        var page = await hospitalStays.HandleAsync(
            CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "hospital-stays"), context.CancellationToken);
        var response = new ListHospitalStaysResponse { NextPageToken = page.NextPageToken };
        response.Stays.AddRange(page.Items.Select(s => s.ToProto()));
        return response;
    }

    public override async Task<RecordDeathResponse> RecordDeath(RecordDeathRequest request, ServerCallContext context)
    {
        var command = DeathValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await recordDeath.HandleAsync(command, AccessContext.Caller(context), context.CancellationToken);
        return new RecordDeathResponse
        {
            Death = result.Death.ToProto(), Summary = result.Record.ToSummary(), Enquiry = result.Enquiry?.ToProto(), Replayed = result.Replayed,
        };
    }

    public override async Task<GetDeathResponse> GetDeath(GetDeathRequest request, ServerCallContext context) =>
        new() { Death = (await death.HandleAsync(CaseIdOf(request.CaseId), context.CancellationToken)).ToProto() };

    public override async Task<OpenEnquiryResponse> OpenEnquiry(OpenEnquiryRequest request, ServerCallContext context)
    {
        var command = EnquiryValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await openEnquiry.HandleAsync(command, AccessContext.Caller(context), context.CancellationToken);
        return new OpenEnquiryResponse { Enquiry = result.Enquiry.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<CloseEnquiryResponse> CloseEnquiry(CloseEnquiryRequest request, ServerCallContext context)
    {
        var result = await closeEnquiry.HandleAsync(EnquiryValidator.Validate(request), AccessContext.Caller(context), context.CancellationToken);
        return new CloseEnquiryResponse { Enquiry = result.Enquiry.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<ListEnquiriesResponse> ListEnquiries(ListEnquiriesRequest request, ServerCallContext context)
    {
        var page = await enquiries.HandleAsync(EnquiryValidator.Validate(request), context.CancellationToken);
        var response = new ListEnquiriesResponse { NextPageToken = page.NextPageToken };
        response.Enquiries.AddRange(page.Items.Select(e => e.ToProto()));
        return response;
    }

    // Fitness assessments and batch inspections.
    public override async Task<AssessFitnessResponse> AssessFitness(AssessFitnessRequest request, ServerCallContext context)
    {
        var entry = FitnessValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await assessFitness.HandleAsync(entry, AccessContext.Caller(context), context.CancellationToken);
        return new AssessFitnessResponse { Assessment = result.Assessment.ToProto(SeesClinicalDetail(context)), Replayed = result.Replayed };
    }

    public override async Task<ListFitnessAssessmentsResponse> ListFitnessAssessments(ListFitnessAssessmentsRequest request, ServerCallContext context)
    {
        var page = await fitnessAssessments.HandleAsync(FitnessValidator.Validate(request), context.CancellationToken);
        var clinical = SeesClinicalDetail(context);
        var response = new ListFitnessAssessmentsResponse { NextPageToken = page.NextPageToken };
        response.Assessments.AddRange(page.Items.Select(f => f.ToProto(clinical)));
        return response;
    }

    public override async Task<GetFitnessResponse> GetFitness(GetFitnessRequest request, ServerCallContext context)
    {
        var answer = await fitness.HandleAsync(FitnessValidator.Validate(request, clock.GetUtcNow()), context.CancellationToken);
        return answer.ToProto(SeesClinicalDetail(context));
    }

    public override async Task<RecordInspectionsResponse> RecordInspections(RecordInspectionsRequest request, ServerCallContext context)
    {
        var batch = InspectionBatchValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        return await inspections.HandleAsync(batch, AccessContext.Caller(context), context.CancellationToken);
    }

    public override async Task<ListOverdueInspectionsResponse> ListOverdueInspections(ListOverdueInspectionsRequest request, ServerCallContext context) =>
        await overdueInspections.HandleAsync(ListOverdueInspectionsValidator.Validate(request, clock.GetUtcNow().ToMicroseconds()), context.CancellationToken);

    /// <summary>
    /// Whether the caller's verified token holds the medic role, the only one that reads clinical detail (GC III Art. 30;
    /// DOMAIN.md "Roles"). Decided here from the token, whatever the gateway let through; for any other role the clinical
    /// reasons are withheld and the audit record says so (<c>clinical_reasons</c>).
    /// </summary>
    private static bool SeesClinicalDetail(ServerCallContext context)
    {
        if (AccessContext.Caller(context).Roles.Contains(RegistryRoles.Medic))
        {
            return true;
        }

        AccessContext.Withhold(context, "clinical_reasons");
        return false;
    }

    private static Guid CaseIdOf(string caseId)
    {
        var errors = new FieldViolations();
        var id = errors.Uuid("case_id", caseId, required: true);
        errors.ThrowIfAny();
        return id!.Value;
    }

    // Certificates of treatment (GC III Art. 30).
    public override async Task<IssueTreatmentCertificateResponse> IssueTreatmentCertificate(IssueTreatmentCertificateRequest request, ServerCallContext context)
    {
        var entry = TreatmentCertificateValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await issueCertificate.HandleAsync(entry, AccessContext.Caller(context), context.CancellationToken);
        return new IssueTreatmentCertificateResponse { Certificate = result.Certificate.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<GetTreatmentCertificateResponse> GetTreatmentCertificate(GetTreatmentCertificateRequest request, ServerCallContext context)
    {
        var found = await certificates.GetAsync(TreatmentCertificateQueries.IdOf(request.CertificateId), context.CancellationToken);
        return new GetTreatmentCertificateResponse { Certificate = found.ToProto() };
    }

    public override async Task<ListTreatmentCertificatesResponse> ListTreatmentCertificates(ListTreatmentCertificatesRequest request, ServerCallContext context)
    {
        var page = await certificates.ListAsync(
            CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "treatment-certificates"), context.CancellationToken);
        var response = new ListTreatmentCertificatesResponse { NextPageToken = page.NextPageToken };
        response.Certificates.AddRange(page.Items.Select(c => c.ToProto()));
        return response;
    }

    /// <summary>A separate call from Get: an agency system lists and reads certificates often and fetches the document to print or file it.</summary>
    public override async Task<RenderTreatmentCertificateResponse> RenderTreatmentCertificate(RenderTreatmentCertificateRequest request, ServerCallContext context)
    {
        var found = await certificates.GetAsync(TreatmentCertificateQueries.IdOf(request.CertificateId), context.CancellationToken);
        return new RenderTreatmentCertificateResponse
        {
            Content = Google.Protobuf.ByteString.CopyFrom(certificateDocument.Render(found)),
            ContentType = CertificateDocument.ContentType,
            FileName = CertificateDocument.FileName(found),
        };
    }

    // Seriously ill or wounded, weekly health reports (GC III Art. 122).
    public override async Task<MarkSeriouslyIllResponse> MarkSeriouslyIll(MarkSeriouslyIllRequest request, ServerCallContext context)
    {
        var mark = SeriouslyIllValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        return (await markSeriouslyIll.HandleAsync(mark, AccessContext.Caller(context), context.CancellationToken)).ToMarkResponse();
    }

    public override async Task<UnmarkSeriouslyIllResponse> UnmarkSeriouslyIll(UnmarkSeriouslyIllRequest request, ServerCallContext context)
    {
        var unmark = SeriouslyIllValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        return (await unmarkSeriouslyIll.HandleAsync(unmark, AccessContext.Caller(context), context.CancellationToken)).ToUnmarkResponse();
    }

    public override async Task<RecordWeeklyHealthReportResponse> RecordWeeklyHealthReport(RecordWeeklyHealthReportRequest request, ServerCallContext context)
    {
        var entry = SeriouslyIllValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        return (await weeklyReport.HandleAsync(entry, AccessContext.Caller(context), context.CancellationToken)).ToReportResponse();
    }

    public override async Task<ListWeeklyHealthReportsResponse> ListWeeklyHealthReports(ListWeeklyHealthReportsRequest request, ServerCallContext context) =>
        (await weeklyReports.HandleAsync(
            CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "weekly-health-reports"), context.CancellationToken)).ToProto();
}
