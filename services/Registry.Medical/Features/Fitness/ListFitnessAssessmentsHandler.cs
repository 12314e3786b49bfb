using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;

namespace Registry.Medical.Features.Fitness;

/// <summary>A case's fitness assessments, the latest assessed first (then the latest entered), keyset-paged, of one purpose or all.</summary>
public sealed class ListFitnessAssessmentsHandler(MedicalDbContext db)
{
    public async Task<Page<FitnessAssessment>> HandleAsync(FitnessPageRequest query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        var assessments = db.FitnessAssessments.AsNoTracking().Where(f => f.CaseId == query.CaseId);
        if (query.Purpose is { } purpose)
        {
            assessments = assessments.Where(f => f.Purpose == purpose);
        }

        return await assessments.ToKeysetPageDescendingAsync(query.Page, f => f.AssessedAt, f => f.Id, ct);
    }
}
