using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Effects;

/// <summary>Records what became of an item of the effects register (returned, or handed over; GC III Art. 18).</summary>
public sealed class RecordPersonalEffectFateHandler(IntakeDbContext db, TimeProvider clock)
{
    /// <summary>
    /// The fate is the row's concurrency token: of writers racing on one item one records it, the others run
    /// again from the read (<see cref="LostRace.RetryAsync"/>) and meet EFFECT_FATE_FINAL as a later call would.
    /// </summary>
    public Task<PersonalEffect> HandleAsync(EffectFateChange change, CancellationToken ct) =>
        LostRace.RetryAsync(db, PersonalEffect.ResourceType, $"effects/{change.EffectId}", async token =>
        {
            var effect = await FindAsync(change, token);
            effect.RecordFate(change.Fate, change.Note, clock.GetUtcNow().ToMicroseconds());
            await db.SaveChangesAsync(token);
            return effect;
        }, ct);

    private Task<PersonalEffect> FindAsync(EffectFateChange change, CancellationToken ct) =>
        db.PersonalEffects.SingleOrNotFoundAsync(e => e.EffectId == change.EffectId && e.CaseId == change.CaseId,
            PersonalEffect.ResourceType, change.EffectId.ToString(), ct);
}
