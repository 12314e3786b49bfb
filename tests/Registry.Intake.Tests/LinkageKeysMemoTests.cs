using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Tests;

/// <summary>
/// LinkageRecord.Of remembers name keys by the names' text (LinkageKeysMemo): a record built from the memo holds exactly
/// the keys computed afresh, whatever came before it, including the same names with another birth year or none.
/// </summary>
public sealed class LinkageKeysMemoTests
{
    private static PersonIdentity Person(string? family, string? given, string? familyLatin, string? givenLatin, int? year) =>
        new() { FamilyName = family, GivenNames = given, FamilyNameLatin = familyLatin, GivenNamesLatin = givenLatin, BirthYear = year };

    public static TheoryData<string?, string?, string?, string?> Names => new()
    {
        { "Гончаренко", "Олег", null, null },
        { "Гончаренко", "Олег", "Honcharenko", "Oleh" },
        { "백", "광순", "Paek", "Kwang Sun" },
        { null, null, "Kim", "Chol" },
        { "Смирнов", "Александр Сергеевич", "Smirnov", "Aleksandr" },
        { null, null, null, null },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void A_remembered_record_holds_the_keys_computed_afresh_for_each_birth_year(string? family, string? given, string? familyLatin, string? givenLatin)
    {
        foreach (var year in new int?[] { 1990, null, 1985, 1990 })
        {
            var identity = Person(family, given, familyLatin, givenLatin, year);
            var record = LinkageRecord.Of(1, identity, "Kursk region", null);

            Assert.True(record.Keys.SameAs(CaseBlockingKeys.Of(identity)), $"blocking keys of {family} {given} born {year}");
            Assert.Equal(year, record.Keys.BirthYear);
            var fresh = PersonNameKeys.Of(identity);
            Assert.Equal(
                new[] { fresh.Family, fresh.Given, fresh.Full, fresh.Compact, fresh.FamilyH, fresh.GivenH, fresh.FullH },
                new[] { record.Names.Family, record.Names.Given, record.Names.Full, record.Names.Compact, record.Names.FamilyH, record.Names.GivenH, record.Names.FullH });
            Assert.Equal(NameKeys.Compact("Kursk region"), record.PlaceKey);
        }
    }
}
