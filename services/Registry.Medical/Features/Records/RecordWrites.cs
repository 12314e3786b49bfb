using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Features.Records;

/// <summary>
/// Saving a write on a medical record, serialised by the record's version (<see cref="MedicalRecord.Version"/>): when
/// another write on the record committed first, nothing of this one was stored, and it is applied again to the record
/// as it now stands (whose rules then answer: e.g. PATIENT_DECEASED after a death recorded meanwhile), up to
/// <see cref="MaxAttempts"/> times, then ABORTED. The same policy as <c>RecordEncounterHandler</c>'s.
/// </summary>
public static class RecordWrites
{
    public const int MaxAttempts = 20;

    /// <param name="apply">Loads the record tracked, changes it and adds what it wrote to the context; its result is returned once saved.</param>
    public static async Task<T> SaveWithRetryAsync<T>(this MedicalDbContext db, Guid caseId, Func<CancellationToken, Task<T>> apply, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await apply(ct);
            try
            {
                await db.SaveChangesAsync(ct);
                return result;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
            {
                // Spread the retries of writers that collided, so that they do not collide again.
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw RpcErrors.Contended(MedicalRecord.ResourceType, $"cases/{caseId}", $"Case {caseId} is being changed by other writes; retry.");
            }
        }
    }
}
