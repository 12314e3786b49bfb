using System.Collections.Frozen;

namespace Registry.Intake.Domain.Names;

/// <summary>
/// Korean family names in their conventional Latin spellings, each read as the transliteration it stands
/// for, so that "Park" = "Pak" = 박, "Lee" = "Yi" = "Ri" = 이/리, "Ahn" = "An", "Jung" = "Chung" = "Jong".
/// These spellings are conventions, not transliterations: no system (McCune-Reischauer, Revised
/// Romanisation, DPRK usage) produces them, so no letter rule can fold them. Sources: the spellings
/// most used in South Korean passports for each surname (National Institute of Korean Language,
/// "성씨 로마자 표기 방안" survey, 2009, and the Ministry of Foreign Affairs passport statistics it
/// reports); the initial-sound rule of the South Korean orthography (Hangeul Matchumbeop, art. 10–12:
/// 리/림/류/량/로 written 이/임/유/양/노 at the start of a word, where DPRK usage keeps the r), so that
/// both readings of one surname meet; and the Koryo-saram spellings via Russian ("Tsoi" for 최, "Li" for 이).
/// Applied to a whole word of lower-case Latin (after transliteration, before <see cref="NameKeys.Phonetic"/>) by
/// <see cref="NameKeys.CrossScriptSurname"/>: stored for family-name words, looked up for every query word.
/// Changing this table changes <see cref="NameKeys.Version"/>.
/// </summary>
public static class KoreanSurnames
{
    private static readonly FrozenDictionary<string, string> Spellings = new Dictionary<string, string>
    {
        // 이 / 리 (14.7 % of Koreans)
        ["lee"] = "ri", ["yi"] = "ri", ["i"] = "ri", ["rhee"] = "ri", ["rhie"] = "ri", ["ree"] = "ri", ["li"] = "ri", ["yee"] = "ri",
        // 박
        ["park"] = "pak", ["bahk"] = "pak", ["bark"] = "pak",
        // 안
        ["ahn"] = "an",
        // 최
        ["chwe"] = "choe", ["tsoi"] = "choe", ["tsoy"] = "choe", ["tsoj"] = "choe", ["coj"] = "choe", ["coi"] = "choe",
        // 정
        ["jung"] = "jong", ["chung"] = "jong", ["joung"] = "jong",
        // 윤
        ["youn"] = "yun",
        // 임 / 림
        ["lim"] = "rim", ["im"] = "rim", ["yim"] = "rim",
        // 유 / 류
        ["yoo"] = "ryu", ["yu"] = "ryu", ["rhyu"] = "ryu", ["lyu"] = "ryu", ["ryoo"] = "ryu", ["you"] = "ryu",
        // 양 / 량
        ["yang"] = "ryang",
        // 노 / 로
        ["noh"] = "ro", ["no"] = "ro", ["roh"] = "ro",
        // 오, 우
        ["oh"] = "o", ["woo"] = "u", ["wu"] = "u",
        // 현, 변, 명
        ["hyun"] = "hyon", ["byun"] = "pyon", ["pyun"] = "pyon", ["myung"] = "myong",
        // 서, 허, 고, 백
        ["suh"] = "so", ["huh"] = "ho", ["hur"] = "ho", ["koh"] = "ko", ["paik"] = "paek", ["baik"] = "paek",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The transliteration a conventional surname spelling stands for; any other word as it is.</summary>
    public static string Conventional(string word) => Spellings.GetValueOrDefault(word, word);
}
