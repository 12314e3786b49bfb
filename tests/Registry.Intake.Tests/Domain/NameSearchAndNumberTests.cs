using Registry.Intake.Domain;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Tests.Domain;

/// <summary>The search rule (<see cref="NameSearch"/>) and service numbers (<see cref="ServiceNumbers"/>), without a database.</summary>
public sealed class NameSearchAndNumberTests
{
    private static readonly PersonIdentity Paek = new() { FamilyName = "백", GivenNames = "광순", FamilyNameLatin = "Paek", GivenNamesLatin = "Kwang Sun" };
    private static readonly PersonIdentity HangulOnly = new() { FamilyName = "조", GivenNames = "명철" };
    private static readonly PersonIdentity DprkLatin = new() { FamilyNameLatin = "Jo", GivenNamesLatin = "Myong Chol" };
    private static readonly PersonIdentity Kovalenko = new() { FamilyName = "Коваленко", GivenNames = "Микола" };

    [Theory]
    [InlineData("백광순")]
    [InlineData("백 광순")]
    [InlineData("광순 백")]
    [InlineData("kwang")]
    [InlineData("Gwang-sun")]
    [InlineData("Baek")]
    [InlineData("paekkwangsun")]
    [InlineData("Kwang Sun Paek")]
    public void The_Hangul_and_Latin_person_is_found_by_every_spelling(string query) => Assert.True(NameSearch.Matches(query, Paek, fuzzy: false));

    [Theory]
    [InlineData("Myeong")]
    [InlineData("Cho Myeong-cheol")]
    [InlineData("myongchol")]
    [InlineData("Myong-Chol")]
    [InlineData("조명철")]
    [InlineData("chol")]
    public void A_romanisation_finds_the_Hangul_only_record_and_the_other_romanisation(string query)
    {
        Assert.True(NameSearch.Matches(query, HangulOnly, fuzzy: false));
        Assert.True(NameSearch.Matches(query, DprkLatin, fuzzy: false));
    }

    [Theory]
    [InlineData("коваленко")]
    [InlineData("Kovalenko")]
    [InlineData("Кова\u200bленко")]
    [InlineData("Mykola")]
    [InlineData("KOVALENKO MYKOLA")]
    public void A_Cyrillic_record_is_found_in_Cyrillic_and_in_its_transliterations(string query) =>
        Assert.True(NameSearch.Matches(query, Kovalenko, fuzzy: false));

    [Theory]
    [InlineData("Kovalenka", true)] // one letter wrong at the end
    [InlineData("Kovalnko", true)] // one letter missing
    [InlineData("Kowalenko", true)] // one letter wrong in the middle
    [InlineData("Kovalennko", true)] // one letter too many
    [InlineData("Kovalchuk", false)]
    [InlineData("Petrenko", false)]
    [InlineData("Kim", false)]
    public void The_fuzzy_stage_forgives_one_letter_in_a_long_word(string query, bool found)
    {
        Assert.False(NameSearch.Matches(query, Kovalenko, fuzzy: false) && !found);
        Assert.Equal(found, NameSearch.Matches(query, Kovalenko, fuzzy: true));
    }

    [Theory]
    [InlineData("jong hyok")]
    [InlineData("paek ri")] // every word must match
    [InlineData("!?")]
    public void Other_names_are_not_found(string query) => Assert.False(NameSearch.Matches(query, Paek, fuzzy: true));

    /// <summary>The figures PostgreSQL gives (SELECT strict_word_similarity(a, b), pg_trgm 1.6).</summary>
    [Theory]
    [InlineData("word", "two words here", 0.5714286)]
    [InlineData("kovalenka", "kovalenko", 0.6666667)]
    [InlineData("kovalnko", "kovalenko mikola kovalenkomikola", 0.5833333)]
    [InlineData("kowalenko", "kovalenko mikola", 0.53846157)]
    [InlineData("ivonova", "ivanova", 0.45454547)]
    [InlineData("kovaljuk", "kovalenko mikola kovalenkomikola mikolakovalenko", 0.35714287)]
    [InlineData("kovalennko", "kovalenko mikola", 0.75)]
    [InlineData("petxov", "petrov", 0.4)]
    [InlineData("kovalenkomikola", "kovalenko mikola", 0.7368421)]
    [InlineData("jomiongjol", "jo miongjol jomiongjol miongjoljo", 1.0)]
    [InlineData("abc", "xyz", 0)]
    public void Strict_word_similarity_is_pg_trgm_strict_word_similarity(string word, string text, float expected) =>
        Assert.Equal(expected, NameSearch.StrictWordSimilarity(word, text), 6);

    [Theory]
    [InlineData("KPA-0123 456", "kpa 0123456")]
    [InlineData("КРА-123456", "KPA123456")] // Cyrillic К Р А
    [InlineData("KPA-O12", "kpa 012")] // letter O read as zero
    [InlineData("AB-1l1", "ab111")] // l and I read as one
    [InlineData("ＫＰＡ１２３", "KPA123")] // full-width (NFKC)
    [InlineData("KPA-١٢٣", "KPA123")] // Arabic-Indic digits
    public void A_service_number_is_one_number_however_it_is_typed(string a, string b)
    {
        Assert.Equal(ServiceNumbers.Key(a), ServiceNumbers.Key(b));
        Assert.NotNull(ServiceNumbers.Key(a));
    }

    [Theory]
    [InlineData("N/A")]
    [InlineData("n/a")]
    [InlineData("NA")]
    [InlineData("unknown")]
    [InlineData("none")]
    [InlineData("nil")]
    [InlineData("-")]
    [InlineData("—")]
    [InlineData("?")]
    [InlineData("0")]
    [InlineData("000")]
    [InlineData("0000000")]
    [InlineData("9999")]
    [InlineData("123")]
    [InlineData("123456789")]
    [InlineData("нет")]
    [InlineData("невідомо")]
    [InlineData("неизвестно")]
    [InlineData("없음")]
    [InlineData("غير معروف")]
    [InlineData("inconnu")]
    [InlineData("XXXX")]
    public void A_placeholder_is_no_service_number_and_no_key(string placeholder)
    {
        Assert.True(ServiceNumbers.IsPlaceholder(placeholder));
        Assert.Null(ServiceNumbers.Key(placeholder));
    }

    [Theory]
    [InlineData("KPA-1234567")]
    [InlineData("12-346")]
    [InlineData("RU-0000001")]
    [InlineData("А-735112")]
    public void A_real_number_is_not_a_placeholder(string number) => Assert.False(ServiceNumbers.IsPlaceholder(number));

    [Fact]
    public void Placeholder_numbers_never_make_two_persons_one()
    {
        var a = new PersonIdentity { FamilyNameLatin = "Ivanov", ServiceNumber = "N/A", BirthYear = 1980, Nationality = "RU" };
        var b = new PersonIdentity { FamilyNameLatin = "Pak", ServiceNumber = "n/a", BirthYear = 2003, Nationality = "KP" };

        Assert.Null(DuplicateScoring.Match(a, b));
    }

    [Fact]
    public void A_Hangul_only_record_and_its_romanisation_are_candidates_when_birth_year_and_nationality_agree()
    {
        static PersonIdentity Born(PersonIdentity names, int year) => new()
        {
            FamilyName = names.FamilyName, GivenNames = names.GivenNames, FamilyNameLatin = names.FamilyNameLatin,
            GivenNamesLatin = names.GivenNamesLatin, BirthYear = year, Nationality = "KP",
        };
        var revised = new PersonIdentity { FamilyNameLatin = "Cho", GivenNamesLatin = "Myeong-cheol" };

        Assert.NotNull(DuplicateScoring.Match(Born(HangulOnly, 1990), Born(DprkLatin, 1990)));
        Assert.NotNull(DuplicateScoring.Match(Born(revised, 1990), Born(DprkLatin, 1990)));
        Assert.NotNull(DuplicateScoring.Match(Born(new PersonIdentity { FamilyName = "백광순" }, 1999), Born(Paek, 1999)));
        Assert.Null(DuplicateScoring.Match(Born(HangulOnly, 1990), Born(Paek, 1990)));
    }
}
