using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Effects;

/// <summary>Records what became of an item of the effects register (returned, or handed over).</summary>
public sealed class RecordPersonalEffectFateHandler(IntakeDbContext db, TimeProvider clock)
{
    public async Task<PersonalEffect> HandleAsync(EffectFateChange change, CancellationToken ct)
    {
        var effect = await FindAsync(change, ct);
        effect.RecordFate(change.Fate, change.Note, clock.GetUtcNow().ToMicroseconds());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another writer recorded a fate first (the fate is a concurrency token): its rule now answers.
            db.ChangeTracker.Clear();
            (await FindAsync(change, CancellationToken.None)).RecordFate(change.Fate, change.Note, clock.GetUtcNow().ToMicroseconds());
            throw;
        }

        return effect;
    }

    private Task<PersonalEffect> FindAsync(EffectFateChange change, CancellationToken ct) =>
        db.PersonalEffects.SingleOrNotFoundAsync(e => e.EffectId == change.EffectId && e.CaseId == change.CaseId,
            PersonalEffect.ResourceType, change.EffectId.ToString(), ct);
}
