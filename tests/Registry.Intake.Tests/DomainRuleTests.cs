using Registry.Intake.Domain;
using Registry.Intake.Tests.Domain;
using Registry.ServiceDefaults.Domain;

namespace Registry.Intake.Tests;

/// <summary>Rules of the domain, without a database.</summary>
public sealed class DomainRuleTests
{
    [Theory]
    [InlineData("  Paek,  Kwáng-Sun ", "paek kwang sun")]
    [InlineData("ŁUKASZ Żółć", "lukasz zolc")]
    [InlineData("백 광순", "백 광순")]
    [InlineData("!?", "")]
    public void Names_are_searched_lower_case_without_diacritics_and_Hangul_kept_whole(string name, string normalised) =>
        Assert.Equal(normalised, Registry.Intake.Domain.Names.NameKeys.Fold(name));

    /// <summary>The values PostgreSQL's pg_trgm gives for the same pairs (SELECT similarity(a, b)).</summary>
    [Theory]
    [InlineData("김 철민", "김 철수", 0.42857143)]
    [InlineData("smirnov aleksei igorevich", "smirnov aleksey igorevich", 0.85714287)]
    [InlineData("медведев илья александрович", "семенов илья александрович", 0.5277778)]
    [InlineData("kim chol min", "gim cheol min", 0.42105263)]
    [InlineData("a", "a b", 0.5)]
    [InlineData("o", "o", 1.0)]
    [InlineData("", "o", 0.0)]
    public void Name_similarity_is_pg_trgm_similarity(string a, string b, double expected) =>
        Assert.Equal(expected, DuplicateScoring.Similarity(a, b), 6);

    [Fact]
    public void Assertions_keep_every_claim_and_the_case_shows_the_latest()
    {
        var c = Aggregates.NewCase();
        var document = new AssertionSource(SourceKind.Document, "military identity card", "AB-1", null, null);
        var person = new AssertionSource(SourceKind.StatedByPerson, null, null, null, null);

        var first = c.Assert(new Dictionary<string, string?> { ["family_name_latin"] = "Kim", ["date_of_birth"] = "2001-04-12" }, document, DateTimeOffset.UnixEpoch);
        var second = c.Assert(new Dictionary<string, string?> { ["family_name_latin"] = "Ri", ["date_of_birth"] = "2005" }, person, DateTimeOffset.UnixEpoch);

        Assert.Equal(("Ri", 2005, (int?)null), (c.Identity.FamilyNameLatin, c.Identity.BirthYear, c.Identity.BirthMonth));
        Assert.Equal(2, c.Revision);
        Assert.Equal([1L, 1L, 2L, 2L], first.Concat(second).Select(a => a.Revision));
        Assert.True(first[0].RequiredByArticle17);
        Assert.Equal("ri", c.SearchText);
    }

    [Fact]
    public void A_merged_case_takes_no_more_changes()
    {
        var survivor = Aggregates.NewCase();
        var merged = Aggregates.NewCase();

        merged.MergeInto(survivor, DateTimeOffset.UnixEpoch);

        Assert.Equal(survivor.CaseId, merged.MergedIntoCaseId);
        var refused = Assert.Throws<RuleViolationException>(() => merged.Assert(new Dictionary<string, string?> { ["rank"] = "x" }, AssertionSource.Unrecorded, DateTimeOffset.UnixEpoch));
        Assert.Equal("CASE_MERGED", refused.Reason);
        Assert.Throws<RuleViolationException>(() => survivor.MergeInto(survivor, DateTimeOffset.UnixEpoch));
    }
}
