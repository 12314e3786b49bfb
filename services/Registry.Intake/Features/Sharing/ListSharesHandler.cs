using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Sharing;

/// <summary>Shares in the order they were made (keyset-paged on the row id), for the coordinator, the auditor and the partner.</summary>
public sealed class ListSharesHandler(IntakeDbContext db, TimeProvider clock)
{
    /// <summary>ListShares: optionally of one case and/or one partner; only active ones unless asked for ended ones too.</summary>
    public async Task<(Page<CaseShare> Page, DateTimeOffset AsOf)> HandleAsync(ShareQuery query, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var shares = db.CaseShares.AsNoTracking();
        if (query.CaseId is { } caseId)
        {
            shares = shares.Where(s => s.CaseId == caseId);
        }

        if (query.PartnerAgency is { } partner)
        {
            shares = shares.Where(s => s.PartnerAgency == partner);
        }

        if (!query.IncludeEnded)
        {
            shares = shares.Where(s => s.RevokedAt == null && s.ValidUntil > now);
        }

        return (await shares.ToKeysetPageAsync(query.Page, s => s.Id, ct), now);
    }

    /// <summary>ListSharedCases: the active shares with <paramref name="partnerAgency"/> (the caller's own agency, from its token).</summary>
    public async Task<Page<CaseShare>> SharedWithAsync(string partnerAgency, PageRequest page, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.CaseShares.AsNoTracking()
            .Where(s => s.PartnerAgency == partnerAgency && s.RevokedAt == null && s.ValidUntil > now)
            .ToKeysetPageAsync(page, s => s.Id, ct);
    }
}
