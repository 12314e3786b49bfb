using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Features.Records;
using Registry.Protos.Medical.V1;
using DomainIllness = Registry.Medical.Domain.SeriousIllness;
using DomainReport = Registry.Medical.Domain.WeeklyHealthReport;

namespace Registry.Medical.Features.SeriouslyIll;

/// <summary>Seriously ill spells and weekly reports as the contract shows them (enums share their numbers).</summary>
public static class SeriousIllnessMapping
{
    public static SeriousIllness ToProto(this DomainIllness i) => new()
    {
        SeriousIllnessId = i.SeriousIllnessId.ToString(),
        CaseId = i.CaseId.ToString(),
        Since = Timestamp.FromDateTimeOffset(i.Since),
        Grounds = i.Grounds,
        MarkedAt = Timestamp.FromDateTimeOffset(i.MarkedAt),
        MarkedByAgency = i.MarkedByAgency,
        MarkedByClient = i.MarkedByClient,
        Until = i.Until is { } until ? Timestamp.FromDateTimeOffset(until) : null,
        EndNote = i.EndNote ?? "",
        EndedByAgency = i.EndedByAgency ?? "",
        EndedByClient = i.EndedByClient ?? "",
    };

    public static WeeklyHealthReport ToProto(this DomainReport r) => new()
    {
        ReportId = r.ReportId.ToString(),
        CaseId = r.CaseId.ToString(),
        ReportedAt = Timestamp.FromDateTimeOffset(r.ReportedAt),
        State = (HealthState)(int)r.State,
        Notes = r.Notes ?? "",
        RecordedAt = Timestamp.FromDateTimeOffset(r.RecordedAt),
        RecordedByAgency = r.RecordedByAgency,
        RecordedByClient = r.RecordedByClient,
    };

    private static Timestamp? DueBy(Domain.MedicalRecord record) =>
        record.WeeklyReportDueBy is { } due ? Timestamp.FromDateTimeOffset(due) : null;

    public static MarkSeriouslyIllResponse ToMarkResponse(this SeriousIllnessResult r) => new()
    {
        SeriousIllness = r.Illness!.ToProto(), Summary = r.Record.ToSummary(), NextReportDueBy = DueBy(r.Record), Replayed = r.Replayed,
    };

    public static UnmarkSeriouslyIllResponse ToUnmarkResponse(this SeriousIllnessResult r) => new()
    {
        SeriousIllness = r.Illness?.ToProto(), Summary = r.Record.ToSummary(), Replayed = r.Replayed,
    };

    public static RecordWeeklyHealthReportResponse ToReportResponse(this SeriousIllnessResult r) => new()
    {
        Report = r.Report!.ToProto(), Summary = r.Record.ToSummary(), NextReportDueBy = DueBy(r.Record), Replayed = r.Replayed,
    };

    public static ListWeeklyHealthReportsResponse ToProto(this (Domain.MedicalRecord Record, ServiceDefaults.Data.Page<DomainReport> Page) list)
    {
        var response = new ListWeeklyHealthReportsResponse { NextPageToken = list.Page.NextPageToken, NextReportDueBy = DueBy(list.Record) };
        response.Reports.AddRange(list.Page.Items.Select(r => r.ToProto()));
        return response;
    }
}
