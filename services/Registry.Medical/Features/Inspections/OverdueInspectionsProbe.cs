using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Medical.Features.Inspections;

/// <summary>
/// Counts the medical inspections past due now (GC III Art. 31: at least monthly; the record's
/// <see cref="MedicalRecord.ExaminationDueBy"/>) for <see cref="Gc3Metrics.Overdue"/>, on the records that owe one
/// (<see cref="MedicalRecord.OwesInspections"/>: not merged into another case, alive, held, neither released nor escaped),
/// from the partial index <c>ix_medical_records_inspections_owed</c>.
/// </summary>
public sealed class OverdueInspectionsProbe(IServiceScopeFactory scopes, TimeProvider clock) : IGaugeProbe
{
    public async Task RefreshAsync(CancellationToken cancellationToken) =>
        Gc3Metrics.OverdueCount(Gc3Metrics.Inspection, await CountAsync(clock.GetUtcNow(), cancellationToken));

    /// <summary>The inspections owed and past due at <paramref name="now"/>.</summary>
    public async Task<long> CountAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MedicalDbContext>();
        return await db.Records.AsNoTracking()
            .LongCountAsync(r => r.MergedIntoCaseId == null && r.DiedAt == null && r.CaptivityEndedAt == null && r.EscapedAt == null
                && r.ExaminationDueBy < now, cancellationToken);
    }
}
