using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// Name search in the embedded mode (SQLite): the same keys and the same LIKE stages as on PostgreSQL;
/// only the fuzzy (pg_trgm) stage is missing, so a misspelt name is not found.
/// </summary>
public sealed class NameSearchOnSqliteTests(IntakeOnSqliteFixture intake) : IClassFixture<IntakeOnSqliteFixture>
{
    [Fact]
    public async Task Names_are_found_by_the_same_keys_and_without_the_fuzzy_stage()
    {
        var agency = $"UA-{Guid.NewGuid():N}";
        var request = Requests.Rifleman();
        request.Identity = new Identity
        {
            FamilyName = "조", GivenNames = "명\u200b철", DateOfBirth = new PartialDate { Year = 1987 }, Nationality = "KP",
        };
        request.Capture.CapturingAgency = agency;
        var hangul = (await intake.Client.RegisterCaptureAsync(request)).Case;

        async Task<List<string>> Find(string name) =>
            (await intake.Client.SearchCasesAsync(new SearchCasesRequest { Name = name, CapturingAgency = agency, PageSize = 10 })).Cases.Select(c => c.CaseId).ToList();

        Assert.Equal("명철", hangul.Identity.GivenNames);
        foreach (var query in new[] { "조명철", "조 명철", "Myeong", "Jo Myong Chol", "cho myeong-cheol" })
        {
            Assert.Equal([hangul.CaseId], await Find(query));
        }

        Assert.Empty(await Find("Jo Myong Chal")); // one letter wrong: PostgreSQL would find it
    }
}
