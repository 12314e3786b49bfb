using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NameSearch = Registry.Intake.Domain.NameSearch;
using NameSearchKeys = Registry.Intake.Domain.NameSearchKeys;
using PersonIdentity = Registry.Intake.Domain.PersonIdentity;
using Registry.Intake.Features.Search;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// One name normalisation through the API on PostgreSQL: names stored clean, found by every spelling,
/// linked across scripts; service numbers that mean one thing. Each test registers under an agency of its own.
/// </summary>
public sealed class NameTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static string Agency() => $"UA-{Guid.NewGuid():N}";

    private static RegisterCaptureRequest Person(string agency, Identity identity)
    {
        var request = Requests.Rifleman();
        identity.Nationality = identity.Nationality.Length == 0 ? "KP" : identity.Nationality;
        identity.DateOfBirth ??= new PartialDate { Year = 1990 + Random.Shared.Next(0, 10), Month = 1 + Random.Shared.Next(0, 12) };
        request.Identity = identity;
        request.Capture.CapturingAgency = agency;
        return request;
    }

    private async Task<RegisterCaptureResponse> RegisterAsync(string agency, Identity identity) =>
        await intake.Client.RegisterCaptureAsync(Person(agency, identity));

    private async Task<List<string>> FindAsync(string agency, string name) =>
        (await intake.Client.SearchCasesAsync(new SearchCasesRequest { Name = name, CapturingAgency = agency, PageSize = 100 }))
        .Cases.Select(c => c.CaseId).ToList();

    [Theory]
    [InlineData("백광순")]
    [InlineData("백 광순")]
    [InlineData("광순 백")]
    [InlineData("Baek Gwang-sun")]
    [InlineData("paekkwangsun")]
    public async Task The_Hangul_family_and_given_names_are_found_as_one_word_and_raise_a_candidate_as_one_field(string query)
    {
        var agency = Agency();
        var birth = new PartialDate { Year = 1999, Month = 3 };
        var split = (await RegisterAsync(agency, new Identity { FamilyName = "백", GivenNames = "광순", DateOfBirth = birth })).Case;

        Assert.Equal([split.CaseId], await FindAsync(agency, query));

        var oneField = await RegisterAsync(agency, new Identity { FamilyName = "백광순", DateOfBirth = birth });
        Assert.Contains(split.CaseId, oneField.DuplicateCandidates.Select(d => d.OtherCaseId));
    }

    [Fact]
    public async Task Spaced_joined_and_hyphenated_given_names_find_each_other()
    {
        var agency = Agency();
        var spellings = new[] { "Myong Chol", "Myongchol", "Myong-Chol", "MYONG CHOL" };
        var cases = new List<string>();
        foreach (var given in spellings)
        {
            cases.Add((await RegisterAsync(agency, new Identity { FamilyNameLatin = "Kang", GivenNamesLatin = given })).Case.CaseId);
        }

        foreach (var query in spellings.Append("myongchol").Append("Kang Myong Chol"))
        {
            Assert.Equal(cases, await FindAsync(agency, query));
        }
    }

    [Theory]
    [InlineData("Кова\u200bленко")] // zero-width space
    [InlineData("Кова\u00adленко")] // soft hyphen
    [InlineData("\ufeffКоваленко\u200d")] // BOM, zero-width joiner
    [InlineData("Кова\u2060ленко")] // word joiner
    [InlineData("Кова\U000E0041ленко")] // a tag character, outside the BMP (two UTF-16 units)
    [InlineData("Кова\U000E0100ленко")] // a variation selector of the supplement
    [InlineData("Кова\u2800ленко")] // braille blank, an invisible filler
    [InlineData("Коваленко\u2028")] // line separator
    [InlineData("Коваленко")] // full-width? no: the plain form, for the comparison
    public async Task Invisible_characters_are_not_stored_and_do_not_hide_a_name(string family)
    {
        var agency = Agency();
        var registered = (await RegisterAsync(agency, new Identity { FamilyName = family, GivenNames = "Ми\u200bкола", Nationality = "UA" })).Case;

        Assert.Equal("Коваленко", registered.Identity.FamilyName);
        Assert.Equal("Микола", registered.Identity.GivenNames);
        foreach (var query in new[] { "коваленко", "Kovalenko", "КОВАЛЕНКО МИКОЛА", "Mykola Kovalenko" })
        {
            Assert.Equal([registered.CaseId], await FindAsync(agency, query));
        }
    }

    [Fact]
    public async Task Other_identity_text_is_stored_in_the_same_clean_form()
    {
        var registered = (await RegisterAsync(Agency(), new Identity
        {
            FamilyNameLatin = "Kang", GivenNamesLatin = "Chol", Rank = "Ser\u200bgeant", PlaceOfBirth = "Pyong\u2060yang\ufeff",
            MilitaryUnit = "  Unit   ７７  ", Role = "rifle\u00adman", PersonToInformAddress = "Street\u00a01, Pyongyang",
        })).Case;

        Assert.Equal(("Sergeant", "Pyongyang", "Unit 77", "rifleman", "Street 1, Pyongyang"),
            (registered.Identity.Rank, registered.Identity.PlaceOfBirth, registered.Identity.MilitaryUnit, registered.Identity.Role,
             registered.Identity.PersonToInformAddress));
    }

    [Fact]
    public async Task A_Hangul_only_record_and_two_romanisations_of_it_are_linked_and_found_by_each_other()
    {
        var agency = Agency();
        var birth = new PartialDate { Year = 1987, Month = 6, Day = 2 };
        var dprk = (await RegisterAsync(agency, new Identity { FamilyNameLatin = "Jo", GivenNamesLatin = "Myong Chol", DateOfBirth = birth })).Case;
        var hangul = await RegisterAsync(agency, new Identity { FamilyName = "조", GivenNames = "명철", DateOfBirth = birth });
        var revised = await RegisterAsync(agency, new Identity { FamilyNameLatin = "Cho", GivenNamesLatin = "Myeong-cheol", DateOfBirth = birth });

        Assert.Contains(dprk.CaseId, hangul.DuplicateCandidates.Select(d => d.OtherCaseId));
        Assert.Contains(dprk.CaseId, revised.DuplicateCandidates.Select(d => d.OtherCaseId));
        Assert.Contains(hangul.Case.CaseId, revised.DuplicateCandidates.Select(d => d.OtherCaseId));
        var all = new[] { dprk.CaseId, hangul.Case.CaseId, revised.Case.CaseId };
        foreach (var query in new[] { "Myeong", "조명철", "Jo Myong Chol", "cho myeongcheol", "chol" })
        {
            Assert.Equal(all, await FindAsync(agency, query));
        }
    }

    [Fact]
    public async Task The_contract_example_kwang_finds_the_Hangul_name()
    {
        var agency = Agency();
        var hangul = (await RegisterAsync(agency, new Identity { FamilyName = "백", GivenNames = "광순" })).Case;

        Assert.Equal([hangul.CaseId], await FindAsync(agency, "kwang"));
        Assert.Equal([hangul.CaseId], await FindAsync(agency, "Kwáng"));
        Assert.Equal([hangul.CaseId], await FindAsync(agency, "광순"));
    }

    [Theory]
    [InlineData("Kovalenka")] // one letter wrong at the end
    [InlineData("Kowalenko")] // in the middle
    [InlineData("Kovalnko")] // missing
    [InlineData("Kovalennko")] // one too many
    public async Task A_name_with_one_wrong_letter_is_still_found_on_PostgreSQL(string query)
    {
        var agency = Agency();
        var registered = (await RegisterAsync(agency, new Identity { FamilyName = "Коваленко", GivenNames = "Микола", Nationality = "UA" })).Case;
        var other = (await RegisterAsync(agency, new Identity { FamilyName = "Ковальчук", GivenNames = "Микола", Nationality = "UA" })).Case;

        var found = await FindAsync(agency, query);

        Assert.Contains(registered.CaseId, found);
        Assert.DoesNotContain(other.CaseId, found);
    }

    /// <summary>Registers the person and a neighbour of the same family name, then searches: the person is found, the neighbour is not.</summary>
    private async Task FindsOnlyThePersonAsync(string query, Identity person, Identity neighbour)
    {
        var agency = Agency();
        var registered = (await RegisterAsync(agency, person)).Case;
        var other = (await RegisterAsync(agency, neighbour)).Case;

        var found = await FindAsync(agency, query);

        Assert.Contains(registered.CaseId, found);
        Assert.DoesNotContain(other.CaseId, found);
    }

    [Theory]
    [InlineData("Park Rimbeom", "박", "림범", "Pak", "Rim-pŏm")] // conventional surname, Revised given name
    [InlineData("Kim Cheoltae", "", "", "Kim", "Chol Thae")] // DPRK aspirate th
    [InlineData("Ahn Sunil", "", "", "An", "Sun Il")]
    [InlineData("Lee Song Chol", "리", "성철", "", "")]
    [InlineData("Bogdan Ovchov", "", "", "Ovchov", "Bohdan")] // ISO 9 against the Ukrainian passport
    public async Task A_Transliteration_finds_the_person_through_the_API(string query, string family, string given, string familyLatin, string givenLatin) =>
        await FindsOnlyThePersonAsync(query,
            new Identity { FamilyName = family, GivenNames = given, FamilyNameLatin = familyLatin, GivenNamesLatin = givenLatin },
            new Identity { FamilyName = "최", GivenNames = "명일", FamilyNameLatin = "Choe", GivenNamesLatin = "Myong Il" });

    [Theory]
    [InlineData("Овчов Богдан", "", "", "Ovchov", "Bohdan")]
    [InlineData("Kovalenko Bohdan", "Коваленко", "Богдан", "", "")]
    [InlineData("리 석호", "", "", "Ri", "Sok Ho")]
    [InlineData("박 림범", "", "", "Park", "Rimbeom")]
    public async Task Another_script_finds_the_person_through_the_API(string query, string family, string given, string familyLatin, string givenLatin) =>
        await FindsOnlyThePersonAsync(query,
            new Identity { FamilyName = family, GivenNames = given, FamilyNameLatin = familyLatin, GivenNamesLatin = givenLatin, Nationality = "UA" },
            new Identity { FamilyName = "Коваль", GivenNames = "Іван", Nationality = "UA" });

    [Theory]
    [InlineData("Kmi Hun Sam", "김", "훈삼", "", "")]
    [InlineData("Km Hun Sam", "김", "훈삼", "", "")]
    [InlineData("Melnyk Vitor", "Мельник", "Віктор", "Melnyk", "Viktor")]
    [InlineData("Jnag Ilbok", "", "", "Jang", "Ilbok")]
    public async Task A_slip_in_a_short_word_of_a_full_name_still_finds_the_person_on_PostgreSQL(string query, string family, string given,
        string familyLatin, string givenLatin) =>
        await FindsOnlyThePersonAsync(query,
            new Identity { FamilyName = family, GivenNames = given, FamilyNameLatin = familyLatin, GivenNamesLatin = givenLatin },
            new Identity { FamilyName = "리", GivenNames = "훈삼", FamilyNameLatin = "Ri", GivenNamesLatin = "Hun Sam" });

    /// <summary>The database query and <see cref="NameSearch.Matches(string, PersonIdentity, bool)"/> find the same cases.</summary>
    [Fact]
    public async Task The_SQL_search_and_the_pure_rule_agree()
    {
        var agency = Agency();
        var people = new[]
        {
            new Identity { FamilyName = "백", GivenNames = "광순", FamilyNameLatin = "Paek", GivenNamesLatin = "Kwang Sun" },
            new Identity { FamilyName = "조", GivenNames = "명철" },
            new Identity { FamilyNameLatin = "Cho", GivenNamesLatin = "Myeong-cheol" },
            new Identity { FamilyName = "Коваленко", GivenNames = "Микола", Nationality = "UA" },
            new Identity { FamilyName = "Ковальчук", GivenNames = "Олена", Nationality = "UA" },
            new Identity { FamilyName = "Щербаков", GivenNames = "Юрий", Nationality = "RU" },
            new Identity { FamilyNameLatin = "Ivanova", GivenNamesLatin = "Natalya", Nationality = "RU" },
            new Identity { FamilyName = "محمد", GivenNames = "أحمد", Nationality = "SY" },
            new Identity { FamilyNameLatin = "Ri", GivenNamesLatin = "Jong Hyok" },
            new Identity { FamilyName = "김", GivenNames = "훈삼" },
            new Identity { FamilyName = "Мельник", GivenNames = "Віктор", FamilyNameLatin = "Melnyk", GivenNamesLatin = "Viktor", Nationality = "UA" },
            new Identity { FamilyNameLatin = "Ovchov", GivenNamesLatin = "Bohdan", Nationality = "UA" },
            new Identity { FamilyName = "박", GivenNames = "림범" },
            new Identity { FamilyNameLatin = "Kim", GivenNamesLatin = "Chol Thae" },
        };
        foreach (var person in people)
        {
            await RegisterAsync(agency, person);
        }

        var stored = await intake.QueryAsync(db => db.Cases.AsNoTracking().Where(c => c.CapturingAgency == agency)
            .OrderBy(c => c.Number).ToListAsync());
        var queries = new[]
        {
            "kwang", "백광순", "paek sun", "Myeong", "chol jo", "коваленко", "Kovalenka", "Kowalchuk", "kovalchuk olena",
            "Shcherbakov", "Ŝerbakov Ûrij", "Iurii", "ivanowa", "Natalia", "احمد", "mhmd", "ri", "jong", "hyok ri",
            "Jonghyuk", "zzzzzz", "kovaljuk", "Paek Kwang Sun Ri",
            "Kmi Hun Sam", "Km Hun Sam", "Pak Hun Sam", "Melnyk Vitor", "Богдан", "Bogdan Ovchov", "Park Rimbeom", "Lee", "Kim Cheoltae",
            "Kim T'ae", "Hwang",
        };
        foreach (var query in queries)
        {
            var expected = stored.Where(c => NameSearch.Matches(query, c.Identity, fuzzy: true)).Select(c => c.CaseId.ToString()).ToList();
            var byStoredKeys = stored.Where(c => NameSearch.Matches(NameSearch.Query(query), new NameSearchKeys(c.SearchText, c.SearchKey!), fuzzy: true))
                .Select(c => c.CaseId.ToString()).ToList();

            Assert.Equal(expected, byStoredKeys);
            var found = await FindAsync(agency, query);
            Assert.True(expected.SequenceEqual(found), $"\"{query}\": the rule finds {expected.Count}, the database {found.Count}");
        }
    }

    [Theory]
    [InlineData("family_name", "123")]
    [InlineData("family_name", "\u200b")]
    [InlineData("family_name", "- ?")]
    [InlineData("given_names", "\u200b\u200c")]
    [InlineData("given_names_latin", "--")]
    [InlineData("father_first_name", "0")]
    [InlineData("mother_maiden_name", "\u00ad")]
    [InlineData("person_to_inform", "42")]
    public async Task A_name_without_a_letter_is_refused_naming_the_field_and_nothing_is_stored(string field, string value)
    {
        var identity = new Identity { FamilyNameLatin = "Kang", GivenNamesLatin = "Chol" };
        Identity.Descriptor.FindFieldByName(field).Accessor.SetValue(identity, value);
        var before = await intake.CountStoredAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => RegisterAsync(Agency(), identity));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"identity.{field}", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await intake.CountStoredAsync());
    }

    [Fact]
    public async Task A_correction_to_a_name_without_a_letter_is_refused_naming_the_field()
    {
        var registered = (await RegisterAsync(Agency(), new Identity { FamilyNameLatin = "Kang", GivenNamesLatin = "Chol" })).Case;

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.UpdateIdentityAsync(new UpdateIdentityRequest
        {
            CaseId = registered.CaseId,
            Identity = new Identity { FamilyName = "\u200b\u2060" },
            UpdateMask = FieldMask.FromString("family_name"),
            Source = new AssertionSource { Kind = SourceKind.StatedByPerson },
            Revision = registered.Revision,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("identity.family_name", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Theory]
    [InlineData("N/A")]
    [InlineData("n/a")]
    [InlineData("unknown")]
    [InlineData("none")]
    [InlineData("-")]
    [InlineData("?")]
    [InlineData("000")]
    [InlineData("0")]
    [InlineData("нет")]
    [InlineData("невідомо")]
    [InlineData("없음")]
    public async Task A_placeholder_service_number_is_refused_naming_the_field(string placeholder)
    {
        var before = await intake.CountStoredAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            RegisterAsync(Agency(), new Identity { FamilyNameLatin = "Kang", GivenNamesLatin = "Chol", ServiceNumber = placeholder }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("identity.service_number", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await intake.CountStoredAsync());
        var search = await Assert.ThrowsAsync<RpcException>(() => intake.Client.SearchCasesAsync(new SearchCasesRequest { ServiceNumber = placeholder, PageSize = 5 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, search.StatusCode);
    }

    [Fact]
    public async Task A_service_number_typed_with_Cyrillic_lookalikes_or_O_for_zero_is_the_same_number()
    {
        var digits = Random.Shared.Next(100_000, 999_999);
        var first = (await RegisterAsync(Agency(), new Identity { FamilyNameLatin = "Kang", GivenNamesLatin = "Chol", ServiceNumber = $"KPA-0{digits}" })).Case;

        // The same man by another agency, his number copied from a Cyrillic form (record linkage weighs the
        // number with the other fields: docs/linkage.md).
        var again = await RegisterAsync(Agency(), new Identity
        {
            FamilyName = "Кан", GivenNames = "Чхоль", ServiceNumber = $"кра o{digits}", DateOfBirth = first.Identity.DateOfBirth,
        });

        var candidate = Assert.Single(again.DuplicateCandidates, d => d.OtherCaseId == first.CaseId);
        Assert.Equal(ComparisonLevel.Agree, candidate.Comparisons.Single(c => c.Field == "service_number").Level);
        Assert.Contains(first.CaseId, (await intake.Client.SearchCasesAsync(new SearchCasesRequest { ServiceNumber = $"KPA O{digits}", PageSize = 5 })).Cases.Select(c => c.CaseId));
    }

    /// <summary>
    /// Cases stored under older key rules (version 0: the old search text, no cross-script tokens, a
    /// placeholder number keyed "NA") are rebuilt: then found by the new keys, and "N/A" and "n/a" no
    /// longer one number.
    /// </summary>
    [Fact]
    public async Task Keys_stored_under_older_rules_are_rebuilt_and_placeholders_lose_their_key()
    {
        var agency = Agency();
        var template = (await RegisterAsync(agency, new Identity { FamilyName = "조", GivenNames = "명철" })).Case;
        await intake.QueryAsync(async db =>
        {
            foreach (var (number, family, given, year) in new[] { ("N/A", "Иванов", "Пётр", 1980), ("n/a", "조", "명철", 2003) })
            {
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO cases ("CaseId", "RequestId", "RequestHash", "FamilyName", "GivenNames", "ServiceNumber", "BirthYear", "Nationality",
                                       "SearchText", "ServiceNumberKey", "NameKey", "LatinNameKey", "CapturedAt", "CapturePlace", "CapturingUnit",
                                       "CapturingAgency", "StatusCategory", "Revision", "RegisteredAt", "UpdatedAt")
                    SELECT gen_random_uuid(), gen_random_uuid(), '\x00'::bytea, {1}, {2}, {0}, {3}, 'KP',
                           lower({1} || ' ' || {2}), 'NA', lower({1} || ' ' || {2}), '', "CapturedAt", "CapturePlace", "CapturingUnit",
                           "CapturingAgency", "StatusCategory", 1, now(), now()
                    FROM cases WHERE "CaseId" = {4}
                    """, number, family, given, year, Guid.Parse(template.CaseId));
            }

            // One keyed by a newer build (then rolled back): rebuilt too, to the keys this build reads.
            await db.Database.ExecuteSqlRawAsync("""UPDATE cases SET "NameKeyVersion" = {0} WHERE "ServiceNumber" = 'n/a' AND "CapturingAgency" = {1}""",
                Registry.Intake.Domain.Names.NameKeys.Version + 1, agency);
            return 0;
        });
        Assert.Equal([template.CaseId], await FindAsync(agency, "Jo Myong Chol"));

        var rebuilt = await intake.Service.Services.GetRequiredService<NameKeyRebuild>().RebuildAsync(CancellationToken.None);

        Assert.True(rebuilt >= 2);
        var legacy = await intake.QueryAsync(db => db.Cases.AsNoTracking().Where(c => c.CapturingAgency == agency && c.Identity.ServiceNumber != null).ToListAsync());
        Assert.All(legacy, c => Assert.Null(c.ServiceNumberKey));
        Assert.All(legacy, c => Assert.Equal(Registry.Intake.Domain.Names.NameKeys.Version, c.NameKeyVersion));
        Assert.Equal(2, (await FindAsync(agency, "Jo Myong Chol")).Count);
        Assert.Single(await FindAsync(agency, "Ivanov Pyotr"));
        Assert.Equal(1, legacy.Single(c => c.Identity.FamilyName == "Иванов").Revision);
    }
}
