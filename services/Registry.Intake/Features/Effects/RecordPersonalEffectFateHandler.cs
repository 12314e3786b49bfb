using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Effects;

/// <summary>Records what became of an item of the effects register (returned, or handed over).</summary>
public sealed class RecordPersonalEffectFateHandler(IntakeDbContext db, TimeProvider clock)
{
    public async Task<PersonalEffect> HandleAsync(EffectFateChange change, CancellationToken ct)
    {
        var effect = await db.PersonalEffects.SingleOrDefaultAsync(e => e.EffectId == change.EffectId && e.CaseId == change.CaseId, ct)
            ?? throw RpcErrors.NotFound(PersonalEffect.ResourceType, change.EffectId.ToString());
        effect.RecordFate(change.Fate, change.Note, clock.GetUtcNow().ToMicroseconds());
        await db.SaveChangesAsync(ct);
        return effect;
    }
}
