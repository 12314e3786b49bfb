namespace Registry.Intake.Domain;

/// <summary>The clocks the Convention sets on the register.</summary>
public static class Deadlines
{
    /// <summary>GC III Art. 70: a capture card within one week of arrival at a place of internment (and again on transfer or hospitalisation).</summary>
    public static readonly TimeSpan CaptureCard = TimeSpan.FromDays(7);

    /// <summary>
    /// GC III Art. 122 asks for information "within the shortest possible period" without a figure; the
    /// registry holds itself to 48 hours so that lateness can be seen and chased.
    /// </summary>
    public static readonly TimeSpan Notification = TimeSpan.FromHours(48);

    /// <summary>Whether something due at <paramref name="dueAt"/> and done at <paramref name="doneAt"/> (or not yet) was late at <paramref name="asOf"/>.</summary>
    public static bool IsOverdue(DateTimeOffset dueAt, DateTimeOffset? doneAt, DateTimeOffset asOf) =>
        dueAt < asOf && (doneAt is null || doneAt > asOf);
}
