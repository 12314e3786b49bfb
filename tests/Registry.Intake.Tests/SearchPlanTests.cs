using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Xunit.Abstractions;

namespace Registry.Intake.Tests;

/// <summary>
/// Name search on a register of 100,000 cases is answered from the trigram index, not a table scan.
/// The plan is printed to the test output (dotnet test --logger "console;verbosity=detailed").
/// </summary>
public sealed class SearchPlanTests(IntakeFixture intake, ITestOutputHelper output) : IClassFixture<IntakeFixture>
{
    private const int Cases = 100_000;

    [Fact]
    public async Task A_name_search_over_100000_cases_uses_the_trigram_index()
    {
        var rifleman = Requests.RiflemanFromForeignDocument("RU-0000001");
        rifleman.Identity.FamilyNameLatin = "Ri";
        rifleman.Identity.GivenNamesLatin = "Jong Hyok";
        var registered = (await intake.Client.RegisterCaptureAsync(rifleman)).Case;
        await SeedAsync();

        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = "Jong Hyok", PageSize = 50 });
        var (plan, found) = await intake.QueryAsync(async db =>
        {
            await using var command = db.Cases.AsNoTracking().Matching(search).Take(search.PageSize).CreateDbCommand();
            await db.Database.OpenConnectionAsync();
            var sql = command.CommandText;
            command.CommandText = "EXPLAIN (ANALYZE, BUFFERS, COSTS) " + sql;
            var lines = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    lines.Add(reader.GetString(0));
                }
            }

            output.WriteLine(sql);
            return (string.Join('\n', lines), await db.Cases.AsNoTracking().Matching(search).Select(c => c.CaseId).ToListAsync());
        });
        output.WriteLine(plan);

        Assert.Contains(Guid.Parse(registered.CaseId), found);
        Assert.Contains("ix_cases_search_text_trgm", plan);
        Assert.DoesNotContain("Seq Scan", plan);

        var clock = Stopwatch.StartNew();
        var response = await intake.Client.SearchCasesAsync(new SearchCasesRequest { Name = "jong hyok", PageSize = 50 });
        output.WriteLine($"SearchCases through gRPC over {Cases + 1} cases: {clock.ElapsedMilliseconds} ms, {response.Cases.Count} found");
        Assert.Contains(registered.CaseId, response.Cases.Select(c => c.CaseId));
    }

    /// <summary>
    /// 100,000 cases written straight into the table (registering them one by one would take minutes):
    /// random Hangul syllables and random Latin letters, normalised as the service does (lower case).
    /// </summary>
    private Task SeedAsync() => intake.QueryAsync(async db =>
    {
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(3));
        await db.Database.ExecuteSqlRawAsync($"""
            INSERT INTO cases ("CaseId", "RequestId", "RequestHash", "FamilyName", "GivenNames", "FamilyNameLatin", "GivenNamesLatin",
                               "BirthYear", "Nationality", "SearchText", "CapturedAt", "CapturePlace", "CapturingUnit", "CapturingAgency",
                               "StatusCategory", "Revision", "RegisteredAt", "UpdatedAt")
            SELECT gen_random_uuid(), gen_random_uuid(), '\x00'::bytea, f, g, fl, gl, 1970 + i % 35, 'KP',
                   f || ' ' || g || ' ' || fl || ' ' || gl, now() - (i % 700) * interval '1 hour', 'Kursk region', 'unit', 'UA-SSO',
                   'PrisonerOfWar', 1, now(), now()
            FROM (
                SELECT i,
                       chr((44032 + (i::bigint * 7919) % 11172)::int) AS f,
                       chr((44032 + (i::bigint * 104729) % 11172)::int) || chr((44032 + (i::bigint * 15485863) % 11172)::int) AS g,
                       translate(substr(md5(i::text), 1, 5), '0123456789', 'ghijklmnop') AS fl,
                       translate(substr(md5((i * 31)::text), 1, 4), '0123456789', 'qrstuvwxyz') || ' ' ||
                       translate(substr(md5((i * 17)::text), 1, 5), '0123456789', 'ghijklmnop') AS gl
                FROM generate_series(1, {Cases}) AS i
            ) AS names;
            ANALYZE cases;
            """);
        return 0;
    });
}
