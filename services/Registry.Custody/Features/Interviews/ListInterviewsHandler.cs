using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Custody.Features.Interviews;

/// <summary>
/// A case's interviews, the latest started first, keyset-paged; and the latest one, for the case file. With
/// <c>onlyAgency</c> (<see cref="InterviewVisibility.OnlyAgencyOf"/>) only those that agency took part in.
/// </summary>
public sealed class ListInterviewsHandler(CustodyDbContext db)
{
    public async Task<Page<Interview>> HandleAsync(CasePageRequest query, string? onlyAgency, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        return await Visible(query.CaseId, onlyAgency).ToKeysetPageDescendingAsync(query.Page, i => i.StartedAt, i => i.Id, ct);
    }

    /// <summary>
    /// The case's latest interview by <c>started_at</c>, or null when it has none; <c>Withheld</c> when there is one but
    /// <paramref name="onlyAgency"/> did not take part in it (the case file then shows none, and the audit says so).
    /// </summary>
    public async Task<(Interview? Interview, bool Withheld)> LastAsync(Guid caseId, string? onlyAgency, CancellationToken ct)
    {
        var last = await Latest.RunAsync(db, caseId, ct);
        return last is null ? (null, false) : onlyAgency is null || last.TookPart(onlyAgency) ? (last, false) : (null, true);
    }

    // Compiled once per model (CompiledQuery): each case-file read asks for it.
    private static readonly CompiledQuery<CustodyDbContext, Guid, Interview?> Latest = new((db, caseId, ct) =>
        db.Interviews.AsNoTracking().Where(i => i.CaseId == caseId).OrderByDescending(i => i.StartedAt).ThenByDescending(i => i.Id).FirstOrDefault());

    private IQueryable<Interview> Visible(Guid caseId, string? onlyAgency)
    {
        var interviews = db.Interviews.AsNoTracking().Where(i => i.CaseId == caseId);
        return onlyAgency is null
            ? interviews
            : interviews.Where(i => i.InterviewingAgency == onlyAgency
                || (i.Interpreter != null && i.Interpreter.Agency == onlyAgency)
                || i.Present.Any(p => p.Agency == onlyAgency));
    }
}
