using Registry.Intake.Domain;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Tests.Domain;

/// <summary>
/// The variation kinds that name search missed in the benchmark (tools/linkage.sh, docs/linkage.md), kind by
/// kind, without a database: Korean aspirates written th/ph, Korean surnames in their conventional spellings,
/// Ukrainian г written "h" or "g", and one slip in a short word of a full-name query.
/// </summary>
public sealed class NameRecallTests
{
    [Theory]
    [InlineData("Thae", "T'ae")] // DPRK th = McCune-Reischauer t'
    [InlineData("Thae", "Tae")] // = Revised Romanisation
    [InlineData("Thae", "태")]
    [InlineData("Phyo", "P'yo")]
    [InlineData("Phyo", "표")]
    [InlineData("Kim Chol Thae", "Kim Cheoltae")]
    [InlineData("Kim Chol Thae", "Kim Ch'ŏl-t'ae")]
    public void Korean_aspirates_meet_however_they_are_marked(string a, string b) =>
        Assert.Equal(NameKeys.CrossScript(a), NameKeys.CrossScript(b));

    [Theory]
    [InlineData("Park", "Pak")]
    [InlineData("Park", "박")]
    [InlineData("Lee", "Ri")]
    [InlineData("Lee", "Yi")]
    [InlineData("Rhee", "리")]
    [InlineData("Lee", "이")]
    [InlineData("Ahn", "An")]
    [InlineData("Ahn", "안")]
    [InlineData("Jung", "Jong")]
    [InlineData("Chung", "정")]
    [InlineData("Choi", "Choe")]
    [InlineData("Yoon", "Yun")]
    [InlineData("Shin", "Sin")]
    [InlineData("Lim", "림")]
    [InlineData("Yoo", "Ryu")]
    [InlineData("Oh", "O")]
    public void Korean_surnames_in_their_conventional_spelling_meet_their_transliteration(string a, string b) =>
        Assert.Equal(NameKeys.CrossScriptSurname(a) ?? NameKeys.CrossScript(a), NameKeys.CrossScriptSurname(b) ?? NameKeys.CrossScript(b));

    [Theory]
    [InlineData("Kyŏng-ch'ung", "경충")] // a given-name syllable spelt like a surname keeps its own key
    [InlineData("Jung Il", "중일")]
    public void Given_names_are_not_read_as_surnames(string query, string given) =>
        Assert.True(NameSearch.Matches(query, new PersonIdentity { FamilyName = "강", GivenNames = given }, fuzzy: false));

    [Theory]
    [InlineData("Park", "Kim")]
    [InlineData("Lee", "Kim")]
    [InlineData("Ahn", "Han")]
    [InlineData("Jung", "Jang")]
    public void Different_surnames_stay_different(string a, string b) =>
        Assert.NotEqual(NameKeys.CrossScriptSurname(a) ?? NameKeys.CrossScript(a), NameKeys.CrossScriptSurname(b) ?? NameKeys.CrossScript(b));

    [Theory]
    [InlineData("Park Rimbeom", "박", "림범", "Pak", "Rim-pŏm")]
    [InlineData("Kim Chol Thae", "김", "철태", null, null)]
    [InlineData("Ahn Sunil", null, null, "An", "Sun Il")]
    [InlineData("Lee Song Chol", "리", "성철", "Ri", "Song Chol")]
    public void A_Transliteration_query_finds_the_person(string query, string? family, string? given, string? familyLatin, string? givenLatin) =>
        Assert.True(NameSearch.Matches(query, new PersonIdentity
        {
            FamilyName = family, GivenNames = given, FamilyNameLatin = familyLatin, GivenNamesLatin = givenLatin,
        }, fuzzy: false));

    [Theory]
    [InlineData("Овчов Богдан", null, null, "Ovchov", "Bohdan")] // Cyrillic query, Ukrainian passport spelling stored
    [InlineData("Kovalenko Bohdan", "Коваленко", "Богдан", null, null)] // passport query, Cyrillic stored
    [InlineData("Bogdan", null, null, "Ovchov", "Bohdan")] // ISO 9 query, passport stored
    [InlineData("Bohdan", null, null, "Ovchov", "Bogdan")] // and the other way
    [InlineData("Oleh", "Кравко", "Олег", null, null)]
    public void An_OtherScript_query_finds_the_person(string query, string? family, string? given, string? familyLatin, string? givenLatin) =>
        Assert.True(NameSearch.Matches(query, new PersonIdentity
        {
            FamilyName = family, GivenNames = given, FamilyNameLatin = familyLatin, GivenNamesLatin = givenLatin,
        }, fuzzy: false));

    [Theory]
    [InlineData("Hwang")] // a Korean initial g is ㄱ, never г: Gwang is not Hwang
    [InlineData("Hun")]
    public void A_Korean_g_is_not_read_as_h(string query) =>
        Assert.False(NameSearch.Matches(query, new PersonIdentity { FamilyNameLatin = "Kim", GivenNamesLatin = "Gwang Gun" }, fuzzy: true));

    [Theory]
    [InlineData("Kmi Hun Sam", "김", "훈삼", null, null)] // two letters swapped in a three-letter family name
    [InlineData("Km Hun Sam", "김", "훈삼", null, null)] // one dropped
    [InlineData("Melnyk Vitor", "Мельник", "Віктор", "Melnyk", "Viktor")] // one dropped in a six-letter word
    [InlineData("Jnag Ilbok", null, null, "Jang", "Ilbok")]
    [InlineData("Kravko Oelg", "Кравко", "Олег", null, null)]
    public void A_Typo_in_a_short_word_of_a_full_name_is_forgiven_on_PostgreSQL_only(string query, string? family, string? given, string? familyLatin,
        string? givenLatin)
    {
        var person = new PersonIdentity { FamilyName = family, GivenNames = given, FamilyNameLatin = familyLatin, GivenNamesLatin = givenLatin };

        Assert.True(NameSearch.Matches(query, person, fuzzy: true));
        Assert.False(NameSearch.Matches(query, person, fuzzy: false));
    }

    [Theory]
    [InlineData("Pak Hun Sam")] // another family name
    [InlineData("Ri Hun Sam")] // shares more trigrams with Kmi Hun Sam than Kim Hun Sam does: the first letter decides
    [InlineData("Kim Hun Chol")] // another given name
    [InlineData("Kim Kwang Sam")]
    public void The_whole_name_stage_does_not_take_another_name_for_a_slip(string query) =>
        Assert.False(NameSearch.Matches(query, new PersonIdentity { FamilyName = "김", GivenNames = "훈삼" }, fuzzy: true));
}
