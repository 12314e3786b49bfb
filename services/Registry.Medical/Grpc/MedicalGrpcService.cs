using Grpc.Core;
using Registry.Medical.Data;
using Registry.Medical.Features.Encounters;
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

    private static Guid CaseIdOf(string caseId)
    {
        var errors = new FieldViolations();
        var id = errors.Uuid("case_id", caseId, required: true);
        errors.ThrowIfAny();
        return id!.Value;
    }

    // Part D: seriously ill or wounded, weekly health reports (GC III Art. 122).
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
