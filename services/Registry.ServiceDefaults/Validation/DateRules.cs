using System.Globalization;

namespace Registry.ServiceDefaults.Validation;

/// <summary>
/// The days a date people only half know can stand for (QUALITY.md's <c>PartialDate</c>: a year, a year and a month,
/// or a day), as the rules compare it: a date is refused only when even its most favourable day breaks a rule.
/// </summary>
public readonly record struct DayRange(DateOnly Earliest, DateOnly Latest)
{
    /// <summary>The range of a valid partial date (month and day null when unknown).</summary>
    public static DayRange Of(int year, int? month, int? day) => (month, day) switch
    {
        (null, _) => new(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31)),
        ({ } m, null) => new(new DateOnly(year, m, 1), new DateOnly(year, m, DateTime.DaysInMonth(year, m))),
        ({ } m, { } d) => new(new DateOnly(year, m, d), new DateOnly(year, m, d)),
    };

    /// <summary>Reads YYYY, YYYY-MM or YYYY-MM-DD (how events and stores carry a partial date); null when empty or unreadable.</summary>
    public static DayRange? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Split('-');
        var numbers = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return null;
            }
        }

        return parts.Length switch
        {
            1 when numbers[0] is >= 1 and <= 9999 => Of(numbers[0], null, null),
            2 when numbers[1] is >= 1 and <= 12 => Of(numbers[0], numbers[1], null),
            3 when numbers[1] is >= 1 and <= 12 && numbers[2] >= 1 && numbers[2] <= DateTime.DaysInMonth(numbers[0], numbers[1])
                => Of(numbers[0], numbers[1], numbers[2]),
            _ => null,
        };
    }

    public override string ToString() => Earliest == Latest ? Earliest.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : Earliest.Day == 1 && Earliest.Month == Latest.Month ? Earliest.ToString("yyyy-MM", CultureInfo.InvariantCulture)
        : Earliest.Year.ToString("D4", CultureInfo.InvariantCulture);
}

/// <summary>
/// The one rule set for dates that can be true, shared by intake, custody and medical so that none of them accepts
/// what another would refuse (issue 12, "dates that can be true"):
/// <list type="bullet">
/// <item>every instant lies between <see cref="Earliest"/> (1900-01-01) and now plus <see cref="ClockSkew"/> (5 minutes,
/// read from the service's <see cref="TimeProvider"/>): nothing in the future, nothing absurdly old (0001-01-01, 1800);</item>
/// <item>a capture is not before <see cref="EarliestCapture"/> (the Geneva Conventions of 12 August 1949 they apply);</item>
/// <item>nothing about a person is before their birth, and nothing in custody or medical care (an admission, an
/// encounter, a status decision, a receipt for effects) before their capture (<see cref="PersonDates"/>).</item>
/// </list>
/// Instants are absolute; a calendar day (a partial birth date, "in service since") is compared with an instant as
/// the widest span that day covers anywhere on Earth (UTC-12 to UTC+14), so a time zone alone never refuses a true date.
/// </summary>
public static class DateRules
{
    /// <summary>The earliest year of any date the registry records (a birth, a date of joining the service, an event).</summary>
    public const int EarliestYear = 1900;

    /// <summary>1900-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Earliest = new(EarliestYear, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>GC III (signed 12 August 1949): no capture under it can be earlier.</summary>
    public static readonly DateTimeOffset EarliestCapture = new(1949, 8, 12, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// How far ahead of the service's clock a device's clock may run (a capturing unit's tablet, a clinic's laptop), and
    /// how far before the recorded capture an act of the capture itself (the receipt for effects taken on surrender) may
    /// be stamped.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The latest calendar day that is "today" somewhere on Earth (UTC+14) at <paramref name="at"/>.</summary>
    public static DateOnly LatestDay(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime.AddHours(14));

    /// <summary>The earliest calendar day that is "today" somewhere on Earth (UTC-12) at <paramref name="at"/>.</summary>
    public static DateOnly EarliestDay(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime.AddHours(-12));

    /// <summary>An instant as a bound in a violation's description, e.g. 2025-01-11T06:30:00Z.</summary>
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Why an instant of something that happened cannot be true at <paramref name="now"/>, or null when it can.</summary>
    public static string? PastProblem(DateTimeOffset at, DateTimeOffset now) =>
        at < Earliest ? $"must not be before {Format(Earliest)}"
        : at > now + ClockSkew ? $"must not be in the future (now is {Format(now)}, {ClockSkew.TotalMinutes:0} minutes of clock skew allowed)"
        : null;

    /// <summary>Why a partial date of something that happened (a birth, a date of joining) cannot be true, or null when it can.</summary>
    public static string? PastProblem(DayRange date, DateTimeOffset now) =>
        date.Latest.Year < EarliestYear ? $"must not be before {EarliestYear}"
        : date.Earliest > LatestDay(now) ? $"must not be in the future (today is {DateOnly.FromDateTime(now.UtcDateTime):yyyy-MM-dd})"
        : null;
}

/// <summary>
/// What a service knows of a person's birth (a partial date) and capture (an instant), each null when unknown: the
/// bounds every other date about them must keep. Intake knows them from the case; custody and medical from the
/// <c>CaseRegistered</c> event they open their records from.
/// </summary>
public sealed record PersonDates(DayRange? Birth, DateTimeOffset? CapturedAt)
{
    public static readonly PersonDates Unknown = new(null, null);

    /// <summary>
    /// Why an instant in the person's captivity (an admission, an encounter, a status decision, a receipt for effects)
    /// cannot be true, or null when it can: not before the capture (<see cref="DateRules.ClockSkew"/> allowed), not
    /// before the person's birth.
    /// </summary>
    public string? CaptivityProblem(DateTimeOffset at)
    {
        if (CapturedAt is { } captured && at < captured - DateRules.ClockSkew)
        {
            return $"must not be before the capture ({DateRules.Format(captured)})";
        }

        return BirthProblem(at);
    }

    /// <summary>Why an instant in the person's life (the capture itself) cannot be true: not before their birth.</summary>
    public string? BirthProblem(DateTimeOffset at) =>
        Birth is { } birth && DateRules.LatestDay(at) < birth.Earliest
            ? $"must not be before the person's birth ({birth})"
            : null;

    /// <summary>
    /// Why a partial date of the person's life before captivity (in service since) cannot be true: not before their
    /// birth, not after their capture.
    /// </summary>
    public string? LifeProblem(DayRange date)
    {
        if (Birth is { } birth && date.Latest < birth.Earliest)
        {
            return $"must not be before the person's birth ({birth})";
        }

        if (CapturedAt is { } captured && date.Earliest > DateRules.LatestDay(captured))
        {
            return $"must not be after the capture ({DateRules.Format(captured)})";
        }

        return null;
    }
}
