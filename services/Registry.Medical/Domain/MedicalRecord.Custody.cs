namespace Registry.Medical.Domain;

/// <summary>
/// What medical knows of custody, for its clocks: the monthly inspection (GC III Art. 31) is owed while the person is
/// held. It is not owed once captivity ended (released, repatriated, exchanged, transferred to a third state: custody's
/// <c>CaptivityEnded</c>), nor while the person is escaped (<c>PrisonerEscaped</c>, until <c>PrisonerRecaptured</c>).
/// The overdue gauge (<c>OverdueInspectionsProbe</c>) counts only the records that owe one.
/// </summary>
public sealed partial class MedicalRecord
{
    /// <summary>When captivity ended (custody's CaptivityEnded); final.</summary>
    public DateTimeOffset? CaptivityEndedAt { get; private set; }

    /// <summary>Set while the person is escaped: when (custody's PrisonerEscaped), until a recapture after it.</summary>
    public DateTimeOffset? EscapedAt { get; private set; }

    /// <summary>Whether an inspection is owed now (not merged away, alive, held).</summary>
    public bool OwesInspections => MergedIntoCaseId is null && DiedAt is null && CaptivityEndedAt is null && EscapedAt is null;

    /// <summary>Captivity ended at <paramref name="at"/>: no inspection is owed any more. A repeat keeps the first.</summary>
    /// <returns>Whether the record changed.</returns>
    public bool EndCaptivity(DateTimeOffset at)
    {
        if (CaptivityEndedAt is not null)
        {
            return false;
        }

        CaptivityEndedAt = at;
        Version++;
        return true;
    }

    /// <summary>Escaped at <paramref name="at"/>: no inspection is owed until a recapture after it.</summary>
    /// <returns>Whether the record changed (not for an escape older than one already known, or one before a known end).</returns>
    public bool Escape(DateTimeOffset at)
    {
        if (CaptivityEndedAt is not null || (EscapedAt is { } known && known >= at))
        {
            return false;
        }

        EscapedAt = at;
        Version++;
        return true;
    }

    /// <summary>Recaptured at <paramref name="at"/>: inspections are owed again, unless the escape known is a later one.</summary>
    /// <returns>Whether the record changed.</returns>
    public bool Recapture(DateTimeOffset at)
    {
        if (EscapedAt is not { } escaped || escaped > at)
        {
            return false;
        }

        EscapedAt = null;
        Version++;
        return true;
    }
}
