using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Duplicates;

/// <summary>An earlier case as duplicate detection reads it: its keys (<see cref="DuplicateKeys"/>), not the whole case.</summary>
public sealed class EarlierCase
{
    public long Number { get; init; }
    public Guid CaseId { get; init; }
    public string? ServiceNumberKey { get; init; }
    public int? BirthYear { get; init; }
    public string? Nationality { get; init; }
    /// <summary>Null on a case stored before the name keys existed (see <see cref="CaptureCase.NameKey"/>).</summary>
    public string? NameKey { get; init; }
    public string? LatinNameKey { get; init; }
    /// <summary>The name-key rules the keys were computed with; keys of another version are not compared (<see cref="Domain.Names.NameKeys.Version"/>).</summary>
    public int NameKeyVersion { get; init; }
}

public static class DuplicateQuery
{
    /// <summary>
    /// The open cases <paramref name="c"/> must be compared with: every one with the same service number,
    /// and every one with the same nationality and birth year, in one statement (UNION ALL; a case in both
    /// groups comes twice). Null when the case has neither, so nothing can resemble it. On PostgreSQL the
    /// second group is an index-only scan of the (nationality, birth year) index, which includes these
    /// columns (migration DuplicateKeys).
    /// </summary>
    public static IQueryable<EarlierCase>? ComparableTo(this IQueryable<CaptureCase> cases, CaptureCase c)
    {
        var keys = c.DuplicateKeys;
        var number = c.Number;
        var open = cases.Where(e => e.Number != number && e.MergedIntoCaseId == null);
        IQueryable<EarlierCase>? comparable = null;
        if (keys.ServiceNumberKey is { } serviceNumber)
        {
            comparable = Read(open.Where(e => e.ServiceNumberKey == serviceNumber));
        }

        if (keys.BirthYear is { } year && keys.Nationality is { Length: > 0 } nationality)
        {
            var sameYear = Read(open.Where(e => e.Identity.Nationality == nationality && e.Identity.BirthYear == year));
            comparable = comparable is null ? sameYear : comparable.Concat(sameYear);
        }

        return comparable;
    }

    private static IQueryable<EarlierCase> Read(IQueryable<CaptureCase> cases) => cases.Select(e => new EarlierCase
    {
        Number = e.Number,
        CaseId = e.CaseId,
        ServiceNumberKey = e.ServiceNumberKey,
        BirthYear = e.Identity.BirthYear,
        Nationality = e.Identity.Nationality,
        NameKey = e.NameKey,
        LatinNameKey = e.LatinNameKey,
        NameKeyVersion = e.NameKeyVersion,
    });
}
