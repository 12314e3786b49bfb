using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Features.Registration;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

public sealed class SearchTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private async Task<Case> RegisterAsync(string agency, Action<RegisterCaptureRequest>? change = null)
    {
        var request = Requests.SniperInFull();
        request.Capture.CapturingAgency = agency;
        change?.Invoke(request);
        return (await intake.Client.RegisterCaptureAsync(request)).Case;
    }

    private async Task<List<string>> FindAsync(SearchCasesRequest request)
    {
        request.PageSize = request.PageSize == 0 ? 500 : request.PageSize;
        return (await intake.Client.SearchCasesAsync(request)).Cases.Select(c => c.CaseId).ToList();
    }

    [Theory]
    [InlineData("kwang")]
    [InlineData("KWÁNG SUN")]
    [InlineData("aek kw")]
    [InlineData("광순")]
    [InlineData("백 광")]
    [InlineData("  Paek,  Kwang-Sun ")]
    [InlineData("Kw\u200Bang")] // invisible characters are removed, as from a stored name (zero-width space, word joiner, BOM)
    [InlineData("\u2060광순\uFEFF")]
    public async Task A_name_is_found_by_any_part_in_either_script_whatever_the_case_and_diacritics(string name)
    {
        var sniper = await RegisterAsync($"UA-{Guid.NewGuid():N}");

        Assert.Contains(sniper.CaseId, await FindAsync(new SearchCasesRequest { Name = name, CapturingAgency = sniper.Capture.CapturingAgency }));
        Assert.DoesNotContain(sniper.CaseId, await FindAsync(new SearchCasesRequest { Name = "jong hyok" }));
    }

    [Fact]
    public async Task Filters_narrow_the_search_and_combine()
    {
        var agency = $"UA-{Guid.NewGuid():N}";
        var sniper = await RegisterAsync(agency);
        var pending = await RegisterAsync(agency, r =>
        {
            r.StatusCategory = StatusCategory.PendingDetermination;
            r.Identity.Nationality = "RU";
            r.Capture.CapturedAt = Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddDays(40));
        });

        Assert.Equal([sniper.CaseId, pending.CaseId], await FindAsync(new SearchCasesRequest { CapturingAgency = agency }));
        Assert.Equal([pending.CaseId], await FindAsync(new SearchCasesRequest { CapturingAgency = agency, Nationality = "RU" }));
        Assert.Equal([sniper.CaseId], await FindAsync(new SearchCasesRequest { CapturingAgency = agency, StatusCategory = StatusCategory.PrisonerOfWar }));
        Assert.Equal([pending.CaseId], await FindAsync(new SearchCasesRequest
        {
            CapturingAgency = agency, CapturedFrom = Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddDays(1)),
        }));
        Assert.Equal([sniper.CaseId], await FindAsync(new SearchCasesRequest
        {
            Name = "paek", CapturingAgency = agency, CapturedUntil = Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddDays(1)),
        }));
        Assert.Equal([sniper.CaseId], await FindAsync(new SearchCasesRequest { ServiceNumber = sniper.Identity.ServiceNumber.ToLowerInvariant().Replace("-", "") }));
    }

    [Fact]
    public async Task Pages_follow_each_other_without_gaps_and_a_token_serves_only_its_own_search()
    {
        var agency = $"UA-{Guid.NewGuid():N}";
        var registered = new List<string>();
        for (var n = 0; n < 5; n++)
        {
            registered.Add((await RegisterAsync(agency)).CaseId);
        }

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await intake.Client.SearchCasesAsync(new SearchCasesRequest { CapturingAgency = agency, PageSize = 2, PageToken = token });
            seen.AddRange(page.Cases.Select(c => c.CaseId));
            token = page.NextPageToken;
            pages++;
            if (pages == 1)
            {
                var other = await Assert.ThrowsAsync<RpcException>(() => intake.Client.SearchCasesAsync(
                    new SearchCasesRequest { CapturingAgency = agency, Nationality = "KP", PageSize = 2, PageToken = token }).ResponseAsync);
                Assert.Equal(StatusCode.InvalidArgument, other.StatusCode);
            }
        }
        while (token != "");

        Assert.Equal(registered, seen);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("page size 0", "page_size")]
    [InlineData("page size a million", "page_size")]
    [InlineData("name of punctuation only", "name")]
    [InlineData("oversized name", "name")]
    [InlineData("control character in the name", "name")]
    [InlineData("name of invisible characters only", "name")]
    [InlineData("nationality in lower case", "nationality")]
    [InlineData("unknown status category", "status_category")]
    [InlineData("range ends before it starts", "captured_until")]
    [InlineData("forged page token", "page_token")]
    public async Task A_bad_search_is_refused_naming_the_field(string spoiler, string field)
    {
        var request = new SearchCasesRequest { PageSize = 10 };
        switch (spoiler)
        {
            case "page size 0": request.PageSize = 0; break;
            case "page size a million": request.PageSize = 1_000_000; break;
            case "name of punctuation only": request.Name = "!?-"; break;
            case "oversized name": request.Name = new string('a', 201); break;
            case "control character in the name": request.Name = "pa\u0008ek"; break;
            case "name of invisible characters only": request.Name = "\u200B\u2060\uFEFF"; break;
            case "nationality in lower case": request.Nationality = "kp"; break;
            case "unknown status category": request.StatusCategory = (StatusCategory)12; break;
            case "range ends before it starts":
                request.CapturedFrom = Timestamp.FromDateTimeOffset(Requests.CapturedAt);
                request.CapturedUntil = Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddDays(-1));
                break;
            case "forged page token": request.PageToken = "bm90IGEgdG9rZW4"; break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.SearchCasesAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    /// <summary>
    /// Every search reads the whole GIN pending list of each index it scans: the name-search indexes keep theirs short
    /// (<see cref="CaptureCaseConfiguration.PendingListLimitKilobytes"/>), set by the migration in place.
    /// </summary>
    [Fact]
    public async Task The_name_search_indexes_keep_a_short_pending_list()
    {
        var options = await intake.QueryAsync(db => db.Database.SqlQueryRaw<string>(
            """SELECT c.relname || ' ' || array_to_string(c.reloptions, ',') AS "Value" FROM pg_class c WHERE c.relname LIKE 'ix_cases_search_%_trgm' ORDER BY 1""")
            .ToListAsync());

        Assert.Equal(
            [$"ix_cases_search_key_trgm gin_pending_list_limit={CaptureCaseConfiguration.PendingListLimitKilobytes}",
             $"ix_cases_search_text_trgm gin_pending_list_limit={CaptureCaseConfiguration.PendingListLimitKilobytes}"],
            options);
    }
}
