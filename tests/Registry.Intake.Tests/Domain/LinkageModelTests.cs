using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;
using Registry.Linkage;

namespace Registry.Intake.Tests.Domain;

/// <summary>Fellegi-Sunter scoring of pairs of records (<see cref="LinkageModel"/>), without a database.</summary>
public sealed class LinkageModelTests
{
    private static readonly DateTimeOffset Captured = new(2025, 1, 11, 9, 30, 0, TimeSpan.FromHours(3));

    /// <summary>Shares as in a register of North Koreans: one in five a Kim, one in seven a Ri; "kim" and "ri" are common.</summary>
    private static readonly NameFrequencies Registry = new(
        new Dictionary<string, double> { ["kim"] = 0.2, ["li"] = 0.15, ["jol"] = 0.001, ["jolmin"] = 0.001 },
        new Dictionary<string, double> { ["jolmin"] = 0.01, ["kim"] = 0.0005, ["jonhiok"] = 0.004 });

    private static LinkageRecord Record(string? family = null, string? given = null, string? familyLatin = null, string? givenLatin = null,
        string? birth = null, string? nationality = null, string? serviceNumber = null, string place = "Kursk region", DateTimeOffset? captured = null) =>
        LinkageRecord.Of(1, new PersonIdentity
        {
            FamilyName = family, GivenNames = given, FamilyNameLatin = familyLatin, GivenNamesLatin = givenLatin,
            DateOfBirth = PartialDate.Parse(birth), Nationality = nationality, ServiceNumber = serviceNumber,
        }, place, captured ?? Captured);

    private static FieldComparison Field(LinkageScore score, string field) => score.Comparisons.Single(c => c.Field == field);

    [Theory]
    [InlineData("1999-12-31", "2000-01-01", "one day off")]
    [InlineData("1999-12-31", null, "unknown")]
    [InlineData("1999", "1999-12-31", "same as far as known")]
    [InlineData("1999-05-04", "2000-05-04", "one year off")]
    public void The_same_names_in_both_scripts_are_a_candidate_with_a_birth_date_off_by_a_day_or_unknown(string birth, string? otherBirth, string outcome)
    {
        var a = Record("백", "광순", "Paek", "Kwang Sun", birth, "KP");
        var b = Record(null, null, "Baek", "Gwangsun", otherBirth, "KP");

        var score = LinkageModel.Score(b, a, NameFrequencies.None);

        Assert.True(score.IsCandidate, string.Join("; ", score.Comparisons));
        Assert.Equal(outcome, Field(score, "date_of_birth").Outcome);
        Assert.Equal(ComparisonLevel.Agree, Field(score, "family_name").Level);
        Assert.Equal(ComparisonLevel.Agree, Field(score, "given_names").Level);
    }

    [Fact]
    public void An_unknown_nationality_is_neutral_and_a_contradicting_one_weighs_against()
    {
        var a = Record("조", "명철", "Jo", "Myong Chol", "2001", "KP");
        var unknown = Record(null, null, "Cho", "Myeong-cheol", "2001", null);
        var contradicting = Record(null, null, "Cho", "Myeong-cheol", "2001", "RU");

        var neutral = LinkageModel.Score(unknown, a, NameFrequencies.None);
        var against = LinkageModel.Score(contradicting, a, NameFrequencies.None);

        Assert.True(neutral.IsCandidate);
        Assert.Equal((ComparisonLevel.Unknown, 0.0), (Field(neutral, "nationality").Level, Field(neutral, "nationality").Weight));
        Assert.Equal("contradicts", Field(against, "nationality").Outcome);
        Assert.True(Field(against, "nationality").Weight < -5);
        Assert.True(against.MatchWeight < neutral.MatchWeight - 5);
    }

    [Fact]
    public void A_Hangul_only_record_meets_its_DPRK_and_South_Korean_romanisations_and_one_field_names()
    {
        var hangul = Record("조", "명철", birth: "2001", nationality: "KP");
        var dprk = Record(familyLatin: "Jo", givenLatin: "Myong Chol", birth: "2001", nationality: "KP");
        var south = Record(familyLatin: "Cho", givenLatin: "Myeong-cheol", birth: "2001", nationality: "KP");
        var oneField = Record("조명철", birth: "2001", nationality: "KP");
        var swapped = Record(familyLatin: "Myongchol", givenLatin: "Jo", birth: "2001", nationality: "KP");

        foreach (var other in new[] { dprk, south, oneField, swapped })
        {
            var score = LinkageModel.Score(other, hangul, NameFrequencies.None);
            Assert.True(score.IsCandidate, string.Join("; ", score.Comparisons));
            Assert.All(score.Comparisons.Where(c => c.Field is "family_name" or "given_names"), c => Assert.Equal(ComparisonLevel.Agree, c.Level));
        }
    }

    [Fact]
    public void Placeholder_service_numbers_are_no_keys_and_never_agree()
    {
        Assert.All(["N/A", "n/a", "unknown", "-", "000", "0", "нет", "?", ""], p => Assert.Null(LinkageRecord.ServiceNumberKeyOf(p)));
        var a = Record(familyLatin: "Ivanov", givenLatin: "Sergei", birth: "1980", nationality: "RU", serviceNumber: "N/A", captured: Captured.AddYears(-1));
        var b = Record(familyLatin: "Pak", givenLatin: "Chol Min", birth: "2003", nationality: "KP", serviceNumber: "n/a");

        var score = LinkageModel.Score(b, a, NameFrequencies.None);

        Assert.Equal(ComparisonLevel.Unknown, Field(score, "service_number").Level);
        Assert.False(score.IsCandidate);
        Assert.True(score.MatchWeight < 0);
    }

    [Fact]
    public void The_same_service_number_weighs_much_but_contradicting_names_birth_and_nationality_outweigh_it()
    {
        var a = Record(familyLatin: "Kim", givenLatin: "Yen Cher", birth: "2001-04-12", nationality: "RU", serviceNumber: "AB-1234567");
        var sameMan = Record(familyLatin: "Kim", givenLatin: "Yen Cher", nationality: "RU", serviceNumber: "ab 1234567", place: "Sudzha", captured: Captured.AddDays(30));
        var another = Record(familyLatin: "Ri", givenLatin: "Jong Hyok", birth: "2005", nationality: "KP", serviceNumber: "AB1234567", place: "Sudzha", captured: Captured.AddDays(30));

        var same = LinkageModel.Score(sameMan, a, Registry);
        var different = LinkageModel.Score(another, a, Registry);

        Assert.Equal(ComparisonLevel.Agree, Field(same, "service_number").Level);
        Assert.True(Field(same, "service_number").Weight > 15);
        Assert.True(same.IsCandidate);
        Assert.Equal(ComparisonLevel.Agree, Field(different, "service_number").Level);
        Assert.False(different.IsCandidate, string.Join("; ", different.Comparisons));
    }

    [Fact]
    public void A_common_name_and_the_same_birth_year_without_anything_else_is_no_candidate_but_a_rare_one_weighs_more()
    {
        var a = Record("김", "철민", "Kim", "Chol Min", "2001", "KP", place: "Kursk region");
        var namesake = Record("김", "철민", "Kim", "Chol Min", "2001", "KP", place: "Pokrovsk", captured: Captured.AddMonths(7));
        var rare = Record("졸", "철민", "Jol", "Chol Min", "2001", "KP", place: "Pokrovsk", captured: Captured.AddMonths(7));
        var rareFirst = Record("졸", "철민", "Jol", "Chol Min", "2001", "KP", place: "Kursk region");

        var common = LinkageModel.Score(namesake, a, Registry);
        var uncommon = LinkageModel.Score(rare, rareFirst, Registry);

        Assert.False(common.IsCandidate, string.Join("; ", common.Comparisons));
        Assert.True(Field(uncommon, "family_name").Weight > Field(common, "family_name").Weight + 5);
    }

    [Fact]
    public void Years_apart_contradict_and_weigh_against()
    {
        var a = Record("리", "정혁", "Ri", "Jong Hyok", "2005", "KP");
        var b = Record("리", "정혁", "Ri", "Jong Hyok", "1990", "KP");

        var score = LinkageModel.Score(b, a, Registry);

        Assert.Equal(("contradicts", ComparisonLevel.Disagree), (Field(score, "date_of_birth").Outcome, Field(score, "date_of_birth").Level));
        Assert.True(Field(score, "date_of_birth").Weight < -8);
        Assert.False(score.IsCandidate);
    }

    [Fact]
    public void Unknown_fields_weigh_nothing_and_the_match_weight_is_the_sum_of_the_fields()
    {
        var a = Record(familyLatin: "Kovalenko");
        var b = Record("Коваленко");

        var score = LinkageModel.Score(b, a, NameFrequencies.None);

        Assert.All(score.Comparisons.Where(c => c.Field is "given_names" or "date_of_birth" or "nationality" or "service_number"),
            c => Assert.Equal((ComparisonLevel.Unknown, 0.0), (c.Level, c.Weight)));
        Assert.Equal(Math.Round(score.Comparisons.Sum(c => c.Weight), 2), score.MatchWeight, 6);
        Assert.InRange(score.Probability, 0, 1);
    }

    [Fact]
    public void Scoring_only_the_pairs_that_can_reach_the_threshold_names_exactly_the_candidates_of_scoring_every_pair()
    {
        // The labelled set's registry in memory (tools/Registry.Linkage), each later registration against its block.
        var set = new Generator(11).Generate(2_000, perVariation: 20, newPersons: 200);
        var evaluation = new Evaluation(set);
        var (pairs, candidates, namesSkipped) = (0, 0, 0);
        foreach (var (probe, i) in set.Seconds.Concat(set.NewPersons).Select((p, i) => (p, i)))
        {
            var record = Records.Linkage(probe, set.Registry.Count + 1 + i);
            var frequencies = evaluation.FrequenciesFor(record);
            foreach (var other in evaluation.Index.Select(BlockingQuery.For(record), record.Number).Keys)
            {
                var full = LinkageModel.Score(record, other, frequencies);
                var fresh = Records.Linkage(set.Registry[(int)other.Number - 1], other.Number);
                var cheap = LinkageModel.ScoreIfCandidate(record, fresh, frequencies);

                Assert.Equal(full.IsCandidate, cheap is not null);
                if (cheap is not null)
                {
                    Assert.Equal((full.MatchWeight, full.Probability), (cheap.MatchWeight, cheap.Probability));
                    Assert.Equal(full.Comparisons, cheap.Comparisons);
                }

                pairs++;
                candidates += cheap is null ? 0 : 1;
                namesSkipped += fresh.NamesBuilt ? 0 : 1;
            }
        }

        // Most pairs of a block are ruled out by birth, nationality, place and capture date alone, their names never folded.
        Assert.True(candidates > 100, $"{candidates} candidates");
        Assert.True(namesSkipped > pairs / 2, $"names skipped in {namesSkipped} of {pairs} pairs");
    }

    [Fact]
    public void The_bound_on_the_names_is_two_agreements_on_the_rarest_name_known()
    {
        var bits = LinkageModel.MaxNameBits(Registry);

        // The rarest share above is 0.0005 (given name "kim"), agreed on with each part's m.
        Assert.Equal(Math.Log2(0.973 / 0.0005) + Math.Log2(0.979 / 0.0005), bits, 6);
        Assert.Equal(Math.Log2(0.973 / LinkageModel.DefaultNameShare) + Math.Log2(0.979 / LinkageModel.DefaultNameShare),
            LinkageModel.MaxNameBits(NameFrequencies.None), 6);
    }

    [Fact]
    public void Near_the_threshold_the_bound_never_drops_a_candidate()
    {
        // Names that agree, each as rare as the frequencies say, add all the bound allows but for the rounding; the shares
        // sweep finely, so that for every set of other outcomes some pairs land within the rounding of the threshold.
        var births = new (string? A, string? B)[]
        {
            ("1990-05-04", "1990-05-04"), ("1990", "1990-05-04"), ("1990-05-04", "1990-05-05"),
            ("1990-05-04", "1991-05-04"), ("1990-05-04", "1990-08-09"), (null, "1990"),
        };
        var nationalities = new (string? A, string? B)[] { ("RU", "RU"), ("RU", "UA"), (null, "RU") };
        var places = new (string A, string B)[] { ("Kursk region", "Kursk region"), ("Kursk region", "Sumy region") };
        var (pairs, near) = (0, 0);
        foreach (var (birthA, birthB) in births)
        foreach (var (nationalityA, nationalityB) in nationalities)
        foreach (var (placeA, placeB) in places)
        foreach (var days in new[] { 0, 3, 30 })
        {
            var a = Record(familyLatin: "Kovalenko", givenLatin: "Taras", birth: birthA, nationality: nationalityA, place: placeA);
            var b = Record(familyLatin: "Kovalenko", givenLatin: "Taras", birth: birthB, nationality: nationalityB, place: placeB,
                captured: Captured.AddDays(days));
            for (var bits = 8.0; bits <= 14.0; bits += 0.0007)
            {
                var share = Math.Pow(2, -bits);
                var frequencies = new NameFrequencies(
                    new Dictionary<string, double> { [a.Names.Family[0]] = share }, new Dictionary<string, double> { [a.Names.Given[0]] = share });
                var full = LinkageModel.Score(a, b, frequencies);
                var cheap = LinkageModel.ScoreIfCandidate(a, b, frequencies);

                Assert.True(full.IsCandidate == cheap is not null, $"{full.MatchWeight} bits: {(cheap is null ? "dropped" : "kept")}");
                pairs++;
                near += Math.Abs(full.MatchWeight - LinkageModel.Threshold) <= 0.05 ? 1 : 0;
            }
        }

        Assert.True(near > 100, $"{near} of {pairs} pairs within 0.05 bits of the threshold");
    }
}
