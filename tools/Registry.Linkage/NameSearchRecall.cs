using Registry.Intake.Domain;

namespace Registry.Linkage;

/// <summary>
/// Name search as a coordinator uses it: the second record's name as the other agency wrote it (Latin when
/// it has it, else the original script), searched for; found when the person's first record matches it by
/// the service's own rule (<see cref="NameSearch.Matches(string, PersonIdentity, bool)"/>), with the fuzzy
/// stage (PostgreSQL) or without it (the embedded SQLite store).
/// </summary>
public static class NameSearchRecall
{
    public static Func<SyntheticRecord, bool, bool> For(EvaluationSet set)
    {
        var first = set.Registry.ToDictionary(r => r.PersonId, Records.Identity);
        return (second, fuzzy) => NameSearch.Matches(QueryOf(second), first[second.PersonId], fuzzy);
    }

    /// <summary>The name the other agency wrote, as one query: Latin family and given names if it wrote them, else the original script.</summary>
    public static string QueryOf(SyntheticRecord r) => r.FamilyNameLatin is not null || r.GivenNamesLatin is not null
        ? $"{r.FamilyNameLatin} {r.GivenNamesLatin}".Trim()
        : $"{r.FamilyName} {r.GivenNames}".Trim();
}
