using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using HealthState = Registry.Medical.Domain.HealthState;
using SeriousIllness = Registry.Medical.Domain.SeriousIllness;
using WeeklyHealthReport = Registry.Medical.Domain.WeeklyHealthReport;

namespace Registry.Medical.Features.SeriouslyIll;

/// <summary>A validated MarkSeriouslyIll.</summary>
public sealed record SeriouslyIllMark(IdempotencyKey Key, Guid CaseId, DateTimeOffset Since, string Grounds);

/// <summary>A validated UnmarkSeriouslyIll.</summary>
public sealed record SeriouslyIllUnmark(IdempotencyKey Key, Guid CaseId, DateTimeOffset Until, string? Note);

/// <summary>A validated RecordWeeklyHealthReport.</summary>
public sealed record WeeklyHealthReportEntry(IdempotencyKey Key, Guid CaseId, DateTimeOffset ReportedAt, HealthState State, string? Notes);

/// <summary>Checks the seriously-ill requests, naming every bad field at once (dates against the record: in the handlers).</summary>
public static class SeriouslyIllValidator
{
    public static SeriouslyIllMark Validate(MarkSeriouslyIllRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var since = errors.PastTimestamp("since", request.Since, now, required: true);
        var grounds = errors.Text("grounds", request.Grounds, SeriousIllness.GroundsMaxLength, required: true);
        errors.ThrowIfAny();
        return new SeriouslyIllMark(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, since!.Value, grounds!);
    }

    public static SeriouslyIllUnmark Validate(UnmarkSeriouslyIllRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var until = errors.PastTimestamp("until", request.Until, now, required: true);
        var note = errors.Text("note", request.Note, SeriousIllness.EndNoteMaxLength, required: false);
        errors.ThrowIfAny();
        return new SeriouslyIllUnmark(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, until!.Value, note);
    }

    public static WeeklyHealthReportEntry Validate(RecordWeeklyHealthReportRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var reportedAt = errors.PastTimestamp("reported_at", request.ReportedAt, now, required: true);
        var state = errors.Enum("state", request.State, required: true);
        var notes = errors.Text("notes", request.Notes, WeeklyHealthReport.NotesMaxLength, required: false);
        errors.ThrowIfAny();
        return new WeeklyHealthReportEntry(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, reportedAt!.Value,
            (HealthState)(int)state!.Value, notes);
    }
}
