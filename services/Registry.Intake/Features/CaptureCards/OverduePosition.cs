namespace Registry.Intake.Features.CaptureCards;

/// <summary>A place in the overdue list: due time, then kind, then id.</summary>
public readonly record struct OverduePosition(DateTimeOffset DueAt, int Kind, long Id) : IComparable<OverduePosition>
{
    public const int CardKind = 1;
    public const int NotificationKind = 2;
    public const int WeeklyReportKind = 3;

    public int CompareTo(OverduePosition other) =>
        DueAt != other.DueAt ? DueAt.CompareTo(other.DueAt) : Kind != other.Kind ? Kind.CompareTo(other.Kind) : Id.CompareTo(other.Id);

    public override string ToString() => $"{DueAt.UtcTicks}.{Kind}.{Id}";

    /// <summary>The position in a token, the start for "", or null when malformed.</summary>
    public static OverduePosition? Parse(string text)
    {
        if (text.Length == 0)
        {
            return new OverduePosition(DateTimeOffset.MinValue, 0, 0);
        }

        var parts = text.Split('.');
        return parts.Length == 3 && long.TryParse(parts[0], out var ticks) && ticks is >= 0 and <= 3155378975999999999
            && int.TryParse(parts[1], out var kind) && long.TryParse(parts[2], out var id)
            ? new OverduePosition(new DateTimeOffset(ticks, TimeSpan.Zero), kind, id)
            : null;
    }
}
