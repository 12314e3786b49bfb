using Registry.Intake.Domain;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Tests.Domain;

/// <summary>The one name normalisation (<see cref="NameKeys"/>), kind by kind, without a database.</summary>
public sealed class NameKeysTests
{
    [Theory]
    [InlineData("Кова\u200bленко", "Коваленко")] // zero-width space
    [InlineData("Кова\u200c\u200dленко", "Коваленко")] // zero-width non-joiner and joiner
    [InlineData("Ko\u2060val\uFEFFen\u00ADko", "Kovalenko")] // word joiner, BOM, soft hyphen
    [InlineData("Paek\u202EKwang", "PaekKwang")] // bidi override
    [InlineData("  Jo \t Myong\u2028Chol\u2029 ", "Jo Myong Chol")] // line and paragraph separators are white space
    [InlineData("Ｊｏ　Ｍｙｏｎｇ", "Jo Myong")] // full-width letters and ideographic space (NFKC)
    [InlineData("백\u3164광순", "백광순")] // Hangul filler
    [InlineData("e\u0301", "é")] // NFKC composes
    [InlineData(null, "")]
    [InlineData("مهدی\u200cزاده", "مهدی\u200cزاده")] // a ZWNJ between letters is Persian spelling (Mahdizadeh), kept
    [InlineData("क्\u200dष", "क्\u200dष")] // a ZWJ after a virama (a mark): a Devanagari half form, kept
    [InlineData("\u200cمهدی \u200cزاده\u200d", "مهدی زاده")] // at an end or beside a space it spells nothing: dropped
    public void Clean_is_NFKC_without_invisible_characters_and_with_single_spaces(string? raw, string expected) =>
        Assert.Equal(expected, NameKeys.Clean(raw));

    [Fact]
    public void A_joiner_kept_in_the_stored_name_changes_none_of_its_keys()
    {
        var (with, without) = (NameKeys.Clean("مهدی\u200cزاده"), NameKeys.Clean("مهدیزاده"));
        Assert.NotEqual(without, with);
        Assert.Equal(NameKeys.Fold(without), NameKeys.Fold(with));
        Assert.Equal(NameKeys.Compact(without), NameKeys.Compact(with));
        Assert.Equal(NameKeys.CrossScriptWords(without), NameKeys.CrossScriptWords(with));
    }

    [Theory]
    [InlineData("Kovalenko", true)]
    [InlineData("백", true)]
    [InlineData("محمد", true)]
    [InlineData("123", false)]
    [InlineData("- ?", false)]
    [InlineData("\u200b", false)]
    [InlineData("", false)]
    public void A_name_has_a_letter(string text, bool expected) => Assert.Equal(expected, NameKeys.HasLetter(NameKeys.Clean(text)));

    [Theory]
    [InlineData("  Paek,  Kwáng-Sun ", "paek kwang sun")]
    [InlineData("ŁUKASZ Żółć", "lukasz zolc")]
    [InlineData("P'aek Kwang-sun", "paek kwang sun")] // McCune-Reischauer aspiration apostrophe
    [InlineData("O’Brien", "obrien")]
    [InlineData("Straße STRASSE", "strasse strasse")]
    [InlineData("Ærø Øster", "aero oster")]
    public void Latin_folds_case_diacritics_and_special_letters(string text, string expected) =>
        Assert.Equal(expected, NameKeys.Fold(text));

    [Theory]
    [InlineData("Ёлкин", "Елкин")]
    [InlineData("Йосиф", "Иосиф")]
    [InlineData("Їжак", "Іжак")]
    [InlineData("Ґалаган", "Галаган")]
    [InlineData("Євген", "Евген")]
    [InlineData("Кова\u200bленко", "Коваленко")]
    public void Cyrillic_letters_of_one_sound_fold_together(string a, string b) => Assert.Equal(NameKeys.Fold(b), NameKeys.Fold(a));

    [Theory]
    [InlineData("أحمد", "احمد")] // hamza above alef
    [InlineData("إبراهيم", "ابراهيم")] // hamza below
    [InlineData("آمنة", "امنه")] // madda, ta marbuta
    [InlineData("مُحَمَّد", "محمد")] // harakat
    [InlineData("محـــمد", "محمد")] // tatweel
    [InlineData("مصطفى", "مصطفي")] // alef maqsura
    [InlineData("ٱلله", "الله")] // alef wasla
    [InlineData("ﻋﻠﻲ", "علي")] // presentation forms (NFKC)
    [InlineData("کریمی", "كريمي")] // Persian keheh and yeh
    public void Arabic_letter_variants_fold_together(string a, string b) => Assert.Equal(NameKeys.Fold(b), NameKeys.Fold(a));

    [Theory]
    [InlineData("Νικόλαος", "ΝΙΚΟΛΑΟΣ")] // final sigma, tonos, case
    public void Greek_folds_final_sigma_and_tonos(string a, string b) => Assert.Equal(NameKeys.Fold(b), NameKeys.Fold(a));

    [Theory]
    [InlineData("백광순", "백 광순")]
    [InlineData("백광순", "백-광순")]
    [InlineData("Myongchol", "Myong Chol")]
    [InlineData("Myongchol", "Myong-Chol")]
    [InlineData("Myongchol", "MYONG‐CHOL")] // U+2010 hyphen
    [InlineData("Ri Kwang Sun", "Ri Kwang-sun")]
    [InlineData("Ivanova-Petrova", "Ivanova Petrova")]
    public void Word_boundaries_do_not_matter_to_the_compact_key(string a, string b) =>
        Assert.Equal(NameKeys.Compact(a), NameKeys.Compact(b));

    [Fact]
    public void Hangul_stays_Hangul_in_fold_and_compact()
    {
        Assert.Equal("백 광순", NameKeys.Fold("백 광순"));
        Assert.Equal("백광순", NameKeys.Compact("백 광순"));
    }

    /// <summary>조명철, 백광순, 리영호, 김정은, 최룡해, 신광철: Hangul, McCune-Reischauer, Revised Romanisation, DPRK usage.</summary>
    [Theory]
    [InlineData("조명철", "Jo Myong Chol", "Cho Myeong-cheol", "Chŏ Myŏng-ch'ŏl")]
    [InlineData("백광순", "Paek Kwang Sun", "Baek Gwang-sun", "P'aek Kwang-sun")]
    [InlineData("리영호", "Ri Yong Ho", "Ri Yeong-ho", "Ri Yŏng-ho")]
    [InlineData("김정은", "Kim Jong Un", "Gim Jeong-eun", "Kim Chŏng-ŭn")]
    [InlineData("최룡해", "Choe Ryong Hae", "Choe Ryong-hae", "Ch'oe Ryong-hae")]
    [InlineData("신광철", "Sin Kwang Chol", "Sin Gwang-cheol", "Shin Kwang-ch'ŏl")]
    [InlineData("박명철", "Pak Myong Chol", "Bak Myeong-cheol", "Pak Myŏng-ch'ŏl")]
    public void The_Korean_romanisations_and_Hangul_meet_in_the_cross_script_key(string hangul, string dprk, string revised, string mccune)
    {
        var key = NameKeys.CrossScript(hangul);
        Assert.NotEqual("", key);
        Assert.Equal(key, NameKeys.CrossScript(dprk));
        Assert.Equal(key, NameKeys.CrossScript(revised));
        Assert.Equal(key, NameKeys.CrossScript(mccune));
    }

    /// <summary>Cyrillic, Russian passport (1997 and 2013), BGN/PCGN, ISO 9 — of the same names.</summary>
    [Theory]
    [InlineData("Щербаков Юрий", "Shcherbakov Yuriy", "Shcherbakov Iurii", "Ŝerbakov Ûrij")]
    [InlineData("Хрущёв Евгений", "Khrushchev Evgeniy", "Khrushchev Yevgeniy", "Hruŝëv Evgenij")]
    [InlineData("Цветкова Наталья", "Tsvetkova Natalya", "Tsvetkova Natal'ya", "Cvetkova Natalʹâ")]
    [InlineData("Жуков Андреев", "Zhukov Andreev", "Zhukov Andreyev", "Žukov Andreev")]
    [InlineData("Чайковский Сергей", "Chaykovskiy Sergey", "Chaikovskii Sergei", "Čajkovskij Sergej")]
    [InlineData("Яковлев Дмитрий", "Yakovlev Dmitriy", "Iakovlev Dmitrii", "Âkovlev Dmitrij")]
    [InlineData("Белый Юлия", "Belyy Yuliya", "Belyi Iuliia", "Belyj Ûliâ")]
    [InlineData("Фёдоров Пётр", "Fedorov Petr", "Fyodorov Pyotr", "Fëdorov Pëtr")]
    [InlineData("Семёнов Артём", "Semenov Artem", "Semyonov Artyom", "Semënov Artëm")]
    public void The_Russian_romanisations_and_Cyrillic_meet_in_the_cross_script_key(string cyrillic, string passport, string bgn, string iso9)
    {
        var key = NameKeys.CrossScript(cyrillic);
        Assert.NotEqual("", key);
        Assert.Equal(key, NameKeys.CrossScript(passport));
        Assert.Equal(key, NameKeys.CrossScript(bgn));
        Assert.Equal(key, NameKeys.CrossScript(iso9));
    }

    /// <summary>Ukrainian Cyrillic, Ukrainian passport (2010 table), ISO 9.</summary>
    [Theory]
    [InlineData("Коваленко Микола", "Kovalenko Mykola", "Kovalenko Mykola")]
    [InlineData("Шевченко Олексій", "Shevchenko Oleksii", "Ševčenko Oleksíj")]
    [InlineData("Кравчук Юлія", "Kravchuk Yuliia", "Kravčuk Ûlíâ")]
    [InlineData("Ткаченко Ярослав", "Tkachenko Yaroslav", "Tkačenko Âroslav")]
    [InlineData("Бойко Євдокія", "Boiko Yevdokiia", "Bojko Êvdokíâ")]
    public void The_Ukrainian_romanisations_meet_in_the_cross_script_key(string cyrillic, string passport, string iso9)
    {
        var key = NameKeys.CrossScript(cyrillic);
        Assert.Equal(key, NameKeys.CrossScript(passport));
        Assert.Equal(key, NameKeys.CrossScript(iso9));
    }

    [Theory]
    [InlineData("Kovalenko", "Kоvalenko")] // Cyrillic о inside a Latin name
    [InlineData("Petrov", "Реtrov")] // Cyrillic Р and е
    [InlineData("Коваленко", "Koвaлeнкo")] // Latin K, a, e, o inside a Cyrillic name
    [InlineData("Nikolaos", "Nikolαos")] // Greek alpha inside a Latin name
    [InlineData("MAXIM", "МАКСИМ")] // one script each: the transliteration makes them meet
    public void Mixed_script_lookalikes_meet(string a, string b)
    {
        Assert.Equal(NameKeys.CrossScript(a), NameKeys.CrossScript(b));
        if (a.All(char.IsAscii) || b.Any(char.IsAscii))
        {
            return;
        }

        Assert.Equal(NameKeys.Fold(a), NameKeys.Fold(b));
    }

    [Fact]
    public void Mixed_script_words_are_written_in_their_main_script_by_fold()
    {
        Assert.Equal("kovalenko", NameKeys.Fold("Kоvalenko"));
        Assert.Equal("коваленко", NameKeys.Fold("Koвaлeнкo"));
        Assert.Equal("петров", NameKeys.Fold("Петров")); // a one-script word is left alone
    }

    [Theory]
    [InlineData("Kim", "Ri")]
    [InlineData("Pak", "Paek")]
    [InlineData("Kovalenko", "Kovalchuk")]
    [InlineData("Sergey", "Sergeev")]
    [InlineData("Ivanov", "Ivanova")]
    public void Different_names_keep_different_keys(string a, string b) => Assert.NotEqual(NameKeys.CrossScript(a), NameKeys.CrossScript(b));

    [Fact]
    public void Cross_script_words_are_per_word_and_ascii()
    {
        var words = NameKeys.CrossScriptWords("Cho Myeong-cheol");
        Assert.Equal(3, words.Count);
        Assert.Equal(words, NameKeys.CrossScriptWords("Jo Myong Chol"));
        Assert.All(NameKeys.CrossScript("조명철 Щербаков محمد").ToCharArray(), c => Assert.True(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)));
        Assert.Empty(NameKeys.CrossScriptWords(" - "));
        Assert.Equal("", NameKeys.CrossScript(null));
    }

    [Theory]
    [InlineData("백", "광순")]
    [InlineData("조", "명철")]
    [InlineData("Щербаков", "Юрий")]
    [InlineData("Ŝerbakov", "Ûrij")]
    [InlineData("Kовaленко", "Микола")]
    [InlineData("Paek", "Kwang-Sun")]
    [InlineData("Andre", "Yevgeniy")]
    [InlineData("محمد", "أحمد")]
    [InlineData("Chaykovskiy", "Sergey")]
    [InlineData("", "Myong Chol")]
    public void Person_keys_are_the_cross_script_keys_of_the_names_joined(string family, string given)
    {
        var keys = PersonNameKeys.Of(family, given, null, null);

        Assert.Contains(NameKeys.CrossScript($"{family} {given}"), keys.Full);
        Assert.Contains(NameKeys.CrossScript($"{given} {family}"), keys.Full);
        Assert.Equal(NameKeys.Compact($"{family} {given}"), Assert.Single(keys.Compact));
        Assert.Equal(new[] { NameKeys.CrossScript(family) }.Where(k => k.Length > 0), keys.Family);
    }

    [Fact]
    public void A_person_meets_the_same_person_written_in_another_script_only_or_in_one_field()
    {
        var hangulOnly = PersonNameKeys.Of(new PersonIdentity { FamilyName = "조", GivenNames = "명철" });
        var latinOnly = PersonNameKeys.Of(new PersonIdentity { FamilyNameLatin = "Cho", GivenNamesLatin = "Myeong-cheol" });
        var both = PersonNameKeys.Of(new PersonIdentity { FamilyName = "조", GivenNames = "명철", FamilyNameLatin = "Jo", GivenNamesLatin = "Myong Chol" });
        var oneField = PersonNameKeys.Of(new PersonIdentity { FamilyName = "조명철" });
        var swapped = PersonNameKeys.Of(new PersonIdentity { FamilyNameLatin = "Myong Chol", GivenNamesLatin = "Jo" });
        var other = PersonNameKeys.Of(new PersonIdentity { FamilyNameLatin = "Jo", GivenNamesLatin = "Kwang Sun" });

        Assert.True(hangulOnly.SharesFamily(latinOnly));
        Assert.True(hangulOnly.SharesGiven(latinOnly));
        Assert.True(hangulOnly.SharesFull(both));
        Assert.True(latinOnly.SharesFull(oneField));
        Assert.True(swapped.SharesFull(latinOnly));
        Assert.False(swapped.SharesFamily(latinOnly));
        Assert.True(other.SharesFamily(latinOnly));
        Assert.False(other.SharesFull(latinOnly));
        Assert.True(oneField.SharesCompact(hangulOnly));
        Assert.True(PersonNameKeys.Of(new PersonIdentity()).IsEmpty);
    }
}
