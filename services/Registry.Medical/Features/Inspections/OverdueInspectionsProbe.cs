using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Medical.Features.Inspections;

/// <summary>
/// Counts the medical inspections past due now (GC III Art. 31: at least monthly; the record's
/// <see cref="MedicalRecord.ExaminationDueBy"/>) for <see cref="Gc3Metrics.Overdue"/>, on records neither merged into
/// another case nor closed by a death.
/// </summary>
public sealed class OverdueInspectionsProbe(IServiceScopeFactory scopes, TimeProvider clock) : IGaugeProbe
{
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MedicalDbContext>();
        var now = clock.GetUtcNow();
        Gc3Metrics.OverdueCount(Gc3Metrics.Inspection, await db.Records.AsNoTracking()
            .LongCountAsync(r => r.ExaminationDueBy < now && r.MergedIntoCaseId == null && r.DiedAt == null, cancellationToken));
    }
}
