using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Features.SeriouslyIll;

/// <summary>A case's weekly health reports in the order of reported_at (then as entered), keyset-paged, with the record (for the next due time).</summary>
public sealed class ListWeeklyHealthReportsHandler(MedicalDbContext db)
{
    public async Task<(MedicalRecord Record, Page<WeeklyHealthReport> Page)> HandleAsync(CasePageRequest query, CancellationToken ct)
    {
        var record = await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        var page = await db.WeeklyHealthReports.AsNoTracking().Where(r => r.CaseId == query.CaseId)
            .ToKeysetPageAsync(query.Page, r => r.ReportedAt, r => r.Id, ct);
        return (record, page);
    }
}
