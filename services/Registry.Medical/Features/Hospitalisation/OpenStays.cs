using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Hospitalisation;

/// <summary>The open hospital stay of a record, as a discharge, a death and a merge look for it.</summary>
public static class OpenStays
{
    /// <summary>
    /// The open stays of <paramref name="record"/> (tracked), settled to at most one (<see cref="MedicalRecord.SettleOpenStays"/>):
    /// a record that holds two (written before merges settled them) answers the latest admission, never an error.
    /// </summary>
    public static async Task<HospitalStay?> OpenStayAsync(this MedicalDbContext db, MedicalRecord record, CancellationToken ct)
    {
        var open = await db.HospitalStays.Where(s => s.CaseId == record.CaseId && s.DischargedAt == null).ToListAsync(ct);
        return open.Count <= 1 ? open.SingleOrDefault()
            : record.SettleOpenStays(open, "Ended because a later admission of the same person was open at once: moved on to it.").Open;
    }

    /// <summary>What the stays a merge ended say of it (their notes): the merged case, and why the stay ended.</summary>
    public static string MergeNote(string mergedCaseNumber, bool died) => died
        ? $"Ended at the death of the person when case {mergedCaseNumber} was merged into this one (the same person)."
        : $"Ended when case {mergedCaseNumber} was merged into this one (the same person): moved on to the later admission.";
}
