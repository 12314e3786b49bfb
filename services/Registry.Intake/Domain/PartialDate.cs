namespace Registry.Intake.Domain;

/// <summary>A date known to the year, the month, or the day. Month and Day are null when unknown.</summary>
public sealed record PartialDate(int Year, int? Month, int? Day)
{
    /// <summary>Why the parts do not make a date, or null when they do.</summary>
    public static string? Problem(int year, int month, int day, int maxYear)
    {
        if (year < 1900 || year > maxYear)
        {
            return $"year must be between 1900 and {maxYear}";
        }

        if (month is < 0 or > 12)
        {
            return "month must be 0 (unknown) or 1-12";
        }

        if (day != 0 && month == 0)
        {
            return "day needs a month";
        }

        if (day < 0 || (month > 0 && day > DateTime.DaysInMonth(year, month)))
        {
            return "day does not exist in that month";
        }

        return null;
    }

    /// <summary>The earliest instant the date can stand for, to compare with other dates.</summary>
    public DateOnly Earliest => new(Year, Month ?? 1, Day ?? 1);
}
