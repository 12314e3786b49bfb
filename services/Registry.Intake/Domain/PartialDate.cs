using System.Globalization;
using Registry.ServiceDefaults.Validation;

namespace Registry.Intake.Domain;

/// <summary>A date known to the year, the month, or the day. Month and Day are null when unknown.</summary>
public sealed record PartialDate(int Year, int? Month, int? Day)
{
    /// <summary>Why the parts do not make a date, or null when they do.</summary>
    public static string? Problem(int year, int month, int day, int maxYear)
    {
        if (year < DateRules.EarliestYear || year > maxYear)
        {
            return $"year must be between {DateRules.EarliestYear} and {maxYear}";
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

    /// <summary>Every day the date can stand for, as the shared date rules compare it (<see cref="DateRules"/>).</summary>
    public DayRange Range => DayRange.Of(Year, Month, Day);

    /// <summary>YYYY, YYYY-MM or YYYY-MM-DD: how an identity assertion stores the date.</summary>
    public override string ToString() => (Month, Day) switch
    {
        (null, _) => Year.ToString("D4", CultureInfo.InvariantCulture),
        ({ } m, null) => $"{Year:D4}-{m:D2}",
        ({ } m, { } d) => $"{Year:D4}-{m:D2}-{d:D2}",
    };

    public static PartialDate? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var parts = text.Split('-').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new PartialDate(parts[0], parts.Length > 1 ? parts[1] : null, parts.Length > 2 ? parts[2] : null);
    }
}
