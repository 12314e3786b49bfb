using F23.StringSimilarity;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Domain.Linkage;

/// <summary>
/// How common each name key is in the registry, as the share of cases that bear it (0 to 1). The chance
/// that two different persons agree on a name is that name's share: two Kims agree by chance far more
/// often than two Paeks, so agreement on "kim" weighs less. A name not looked up has <see cref="LinkageModel.DefaultNameShare"/>.
/// </summary>
public sealed class NameFrequencies(IReadOnlyDictionary<string, double> family, IReadOnlyDictionary<string, double> given)
{
    public static readonly NameFrequencies None = new(new Dictionary<string, double>(), new Dictionary<string, double>());

    /// <summary>The smallest share any key has here (a key not looked up has <see cref="LinkageModel.DefaultNameShare"/>): the rarest name an agreement can be on.</summary>
    public double MinShare { get; } = family.Values.Concat(given.Values).Append(LinkageModel.DefaultNameShare).Min();

    public double Family(string key) => family.GetValueOrDefault(key, LinkageModel.DefaultNameShare);
    public double Given(string key) => given.GetValueOrDefault(key, LinkageModel.DefaultNameShare);

    /// <summary>
    /// The share of a key among the latest <see cref="LinkageModel.FrequencyWindow"/> cases: its count there
    /// (at least one: the case it is compared with has it) over the window's size, smoothed towards
    /// <see cref="LinkageModel.DefaultNameShare"/> as if <see cref="LinkageModel.PriorCases"/> more cases had
    /// been seen, so that a young registry (two cases: every name half of it) does not make every name common.
    /// </summary>
    public static double Share(long count, long window) =>
        (Math.Max(1, count) + LinkageModel.PriorCases * LinkageModel.DefaultNameShare) / (Math.Max(0, window) + LinkageModel.PriorCases);
}

/// <summary>
/// Fellegi-Sunter scoring of a pair of records (Fellegi &amp; Sunter, "A Theory for Record Linkage", JASA
/// 1969; as in Splink): every field compares into an outcome; an outcome adds log2(m/u) bits, where m is
/// how often two records of one person land there and u how often two records of different persons do
/// (both measured on the labelled set of tools/Registry.Linkage, docs/linkage.md); unknown adds 0. The
/// sum is the match weight; a pair at or above <see cref="Threshold"/> bits is a candidate. The u of an
/// exact name agreement is that name's share of the registry (<see cref="NameFrequencies"/>).
/// </summary>
public static class LinkageModel
{
    /// <summary>A pair whose match weight reaches this many bits is a duplicate candidate.</summary>
    public const double Threshold = 18.0;

    /// <summary>
    /// Prior odds of a match among the pairs blocking lets through, in bits (log2 of matches over
    /// non-matches there, from the labelled set): turns the match weight into a probability.
    /// </summary>
    public const double PriorBits = -6.7;

    /// <summary>Names at least this similar (Jaro-Winkler of the cross-script keys) and not equal are close.</summary>
    public const double CloseName = 0.88;

    /// <summary>Name frequencies are counted over the latest this many cases: a bounded count, whatever the registry's size.</summary>
    public const int FrequencyWindow = 20_000;

    /// <summary>The share of a name not looked up (the median share of a name in the labelled set).</summary>
    public const double DefaultNameShare = 0.002;

    /// <summary>The weight of <see cref="DefaultNameShare"/> in a name's share, in cases (<see cref="NameFrequencies.Share"/>).</summary>
    public const int PriorCases = 1000;

    /// <summary>m of an exact name agreement: how often two records of one person have the same key.</summary>
    public const double FamilyAgreeM = 0.973, GivenAgreeM = 0.979;

    private static readonly JaroWinkler Similarity = new();

    /// <summary>(m, u) of each field's outcomes other than an exact name agreement.</summary>
    public static readonly IReadOnlyDictionary<(string Field, string Outcome), (double M, double U)> Parameters =
        new Dictionary<(string, string), (double, double)>
        {
            // Measured on the labelled set (registry-linkage bench --estimate, 100,000 persons, seed 12; docs/linkage.md).
            // An m the set never shows (a contradicting birth year or nationality between two records of one
            // person, another service number) is set to what real registers report, not to zero: such an
            // outcome weighs strongly against, and never forbids.
            [("family_name", "close")] = (0.017, 0.0063),
            [("family_name", "disagree")] = (0.0096, 0.974),
            [("given_names", "close")] = (0.019, 0.0123),
            [("given_names", "disagree")] = (0.002, 0.971),
            [("date_of_birth", "exact")] = (0.436, 0.00003),
            [("date_of_birth", "same as far as known")] = (0.357, 0.0161),
            [("date_of_birth", "one day off")] = (0.104, 0.00007),
            [("date_of_birth", "one year off")] = (0.104, 0.0406),
            [("date_of_birth", "other day")] = (0.002, 0.0462),
            [("date_of_birth", "contradicts")] = (0.002, 0.897),
            [("nationality", "agree")] = (0.99, 0.414),
            [("nationality", "contradicts")] = (0.01, 0.586),
            [("service_number", "agree")] = (0.95, 0.00001),
            [("service_number", "disagree")] = (0.05, 0.99999),
            [("capture_place", "agree")] = (0.729, 0.109),
            [("capture_place", "disagree")] = (0.271, 0.891),
            [("capture_date", "same day")] = (0.868, 0.0026),
            [("capture_date", "within a week")] = (0.113, 0.0156),
            [("capture_date", "disagree")] = (0.0186, 0.982),
        };

    /// <summary>Compares <paramref name="a"/> (the new record) with <paramref name="b"/> (an earlier one).</summary>
    public static LinkageScore Score(LinkageRecord a, LinkageRecord b, NameFrequencies frequencies) =>
        Combine(CompareNames(a.Names, b.Names, frequencies), CompareOthers(a, b));

    /// <summary>
    /// <see cref="Score"/> when the pair is a candidate (<see cref="LinkageScore.IsCandidate"/>), else null: the same
    /// answer, found cheaper for most pairs of a large block. The fields other than the names are compared first; when
    /// their weight plus the most that two name agreements could add (<see cref="MaxNameBits"/>) stays below
    /// <see cref="Threshold"/>, the pair cannot be a candidate and the names, the costly part, are never compared (nor
    /// their keys built: <see cref="LinkageRecord.Names"/>). Exact: a margin covers the rounding of each weight.
    /// </summary>
    public static LinkageScore? ScoreIfCandidate(LinkageRecord a, LinkageRecord b, NameFrequencies frequencies)
    {
        var others = CompareOthers(a, b);
        var bound = MaxNameBits(frequencies);
        foreach (var c in others)
        {
            bound += c.Weight;
        }

        if (bound < Threshold - RoundingMargin)
        {
            return null;
        }

        var score = Combine(CompareNames(a.Names, b.Names, frequencies), others);
        return score.IsCandidate ? score : null;
    }

    /// <summary>
    /// The most the two name parts can add together, in bits: each part agreeing on the rarest name of
    /// <paramref name="frequencies"/> (<see cref="NameFrequencies.MinShare"/>) with its own m (<see cref="FamilyAgreeM"/>,
    /// <see cref="GivenAgreeM"/>: the family part keeps its m when the names are crossed), or a close or unknown outcome if
    /// that weighs more (a part never adds more than one of these: <see cref="CompareNames"/>).
    /// </summary>
    public static double MaxNameBits(NameFrequencies frequencies)
    {
        var share = Math.Clamp(frequencies.MinShare, 1e-6, 1);
        var (familyClose, givenClose) = (Parameters[("family_name", "close")], Parameters[("given_names", "close")]);
        return Math.Max(0, Math.Max(Math.Log2(FamilyAgreeM / share), Math.Log2(familyClose.M / familyClose.U)))
               + Math.Max(0, Math.Max(Math.Log2(GivenAgreeM / share), Math.Log2(givenClose.M / givenClose.U)));
    }

    /// <summary>Bits by which the rounding of each weight to 0.01 (seven comparisons and their sum) could lift a score above its bound.</summary>
    private const double RoundingMargin = 0.05;

    /// <summary>The fields other than the names, in the order <see cref="Score"/> lists them.</summary>
    private static FieldComparison[] CompareOthers(LinkageRecord a, LinkageRecord b) =>
    [
        CompareBirth(a.Birth, b.Birth),
        Simple("nationality", a.Nationality, b.Nationality, "contradicts"),
        Simple("service_number", a.ServiceNumberKey, b.ServiceNumberKey, "disagree"),
        Simple("capture_place", NullIfEmpty(a.PlaceKey), NullIfEmpty(b.PlaceKey), "disagree"),
        CompareCapture(a.CapturedAt, b.CapturedAt),
    ];

    private static LinkageScore Combine(IEnumerable<FieldComparison> names, FieldComparison[] others)
    {
        var comparisons = new List<FieldComparison>(7);
        comparisons.AddRange(names);
        comparisons.AddRange(others);
        var weight = Math.Round(comparisons.Sum(c => c.Weight), 2);
        var probability = 1 / (1 + Math.Pow(2, -(weight + PriorBits)));
        return new LinkageScore(weight, Math.Round(probability, 4), comparisons);
    }

    /// <summary>
    /// Family and given names, straight or crossed (family and given exchanged), whichever weighs more; whole
    /// names that meet (<see cref="PersonNameKeys.SharesFull"/>: the same name typed into one field, or in the
    /// other order) agree on both parts.
    /// </summary>
    internal static IEnumerable<FieldComparison> CompareNames(PersonNameKeys a, PersonNameKeys b, NameFrequencies frequencies)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            return [Unknown("family_name"), Unknown("given_names")];
        }

        var straight = new[] { CompareName("family_name", a.Family, a.FamilyH, b.Family, b.FamilyH, frequencies.Family), CompareName("given_names", a.Given, a.GivenH, b.Given, b.GivenH, frequencies.Given) };
        // Crossed, a name's frequency is the one of the role it has in the earlier record.
        var crossed = new[] { CompareName("family_name", a.Family, a.FamilyH, b.Given, b.GivenH, frequencies.Given), CompareName("given_names", a.Given, a.GivenH, b.Family, b.FamilyH, frequencies.Family) };
        var best = crossed.Sum(c => c.Weight) > straight.Sum(c => c.Weight) ? crossed : straight;
        // The whole names meet though the parts do not line up ("백광순" in one field against 백 / 광순): both parts agree.
        var split = a.Family.Count > 0 && a.Given.Count > 0 ? a : b.Family.Count > 0 && b.Given.Count > 0 ? b : null;
        if (split is null || best.All(c => c.Level == ComparisonLevel.Agree) || !a.SharesFull(b))
        {
            return best;
        }

        return
        [
            Agreement("family_name", frequencies.Family(split.Family[0]), FamilyAgreeM),
            Agreement("given_names", frequencies.Given(split.Given[0]), GivenAgreeM),
        ];
    }

    /// <summary>
    /// One name part: agreement when a key of one is a key of the other, or when a Cyrillic name read with г as "h"
    /// (<paramref name="aH"/>, <paramref name="bH"/>: <see cref="PersonNameKeys.FamilyH"/>) is the other's key (the
    /// Ukrainian national system of 2010, the passport's: "Гончаренко" = "Honcharenko"); else close or disagreeing
    /// by the best Jaro-Winkler similarity of the plain keys.
    /// </summary>
    private static FieldComparison CompareName(string field, IReadOnlyList<string> a, IReadOnlyList<string> aH, IReadOnlyList<string> b, IReadOnlyList<string> bH,
        Func<string, double> share)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return Unknown(field);
        }

        foreach (var (variants, plain) in new[] { (aH, b), (bH, a) })
        {
            foreach (var y in plain)
            {
                if (variants.Contains(y))
                {
                    return Agreement(field, share(y), field == "family_name" ? FamilyAgreeM : GivenAgreeM);
                }
            }
        }

        var best = 0.0;
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                if (x == y)
                {
                    return Agreement(field, share(x), field == "family_name" ? FamilyAgreeM : GivenAgreeM);
                }

                best = Math.Max(best, Similarity.Similarity(x, y));
            }
        }

        return best >= CloseName ? Weighed(field, ComparisonLevel.Close, "close") : Weighed(field, ComparisonLevel.Disagree, "disagree");
    }

    private static FieldComparison Agreement(string field, double share, double m) =>
        new(field, ComparisonLevel.Agree, "agree", Math.Round(Math.Log2(m / Math.Clamp(share, 1e-6, 1)), 2));

    /// <summary>
    /// Birth dates at the precision both are known to: the same day; the same as far as the less precise one
    /// goes; one day off (1999-12-31 / 2000-01-01); one year off; another day within a year; or years apart.
    /// </summary>
    internal static FieldComparison CompareBirth(PartialDate? a, PartialDate? b)
    {
        const string field = "date_of_birth";
        if (a is null || b is null)
        {
            return Unknown(field);
        }

        var years = Math.Abs(a.Year - b.Year);
        if (a is { Month: { } am, Day: { } ad } && b is { Month: { } bm, Day: { } bd })
        {
            var days = Math.Abs(new DateOnly(a.Year, am, ad).DayNumber - new DateOnly(b.Year, bm, bd).DayNumber);
            return (days, years) switch
            {
                (0, _) => Weighed(field, ComparisonLevel.Agree, "exact"),
                (1, _) => Weighed(field, ComparisonLevel.Close, "one day off"),
                (_, 1) when am == bm && ad == bd => Weighed(field, ComparisonLevel.Close, "one year off"),
                (_, <= 1) => Weighed(field, ComparisonLevel.Disagree, "other day"),
                _ => Weighed(field, ComparisonLevel.Disagree, "contradicts"),
            };
        }

        return years switch
        {
            0 when a.Month is { } m1 && b.Month is { } m2 && m1 != m2 => Weighed(field, ComparisonLevel.Disagree, "other day"),
            0 => Weighed(field, ComparisonLevel.Agree, "same as far as known"),
            1 => Weighed(field, ComparisonLevel.Close, "one year off"),
            _ => Weighed(field, ComparisonLevel.Disagree, "contradicts"),
        };
    }

    private static FieldComparison CompareCapture(DateTimeOffset? a, DateTimeOffset? b)
    {
        if (a is null || b is null)
        {
            return Unknown("capture_date");
        }

        var days = Math.Abs((a.Value - b.Value).TotalDays);
        return days <= 1 ? Weighed("capture_date", ComparisonLevel.Agree, "same day")
            : days <= 7 ? Weighed("capture_date", ComparisonLevel.Close, "within a week")
            : Weighed("capture_date", ComparisonLevel.Disagree, "disagree");
    }

    private static FieldComparison Simple(string field, string? a, string? b, string disagreement) =>
        a is null || b is null ? Unknown(field)
        : a == b ? Weighed(field, ComparisonLevel.Agree, "agree")
        : Weighed(field, ComparisonLevel.Disagree, disagreement);

    private static FieldComparison Weighed(string field, ComparisonLevel level, string outcome)
    {
        var (m, u) = Parameters[(field, outcome)];
        return new FieldComparison(field, level, outcome, Math.Round(Math.Log2(m / u), 2));
    }

    private static FieldComparison Unknown(string field) => new(field, ComparisonLevel.Unknown, "unknown", 0);

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
