using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Registry.Intake.Features.Search;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// Name searches are bounded per intake process (Intake:Search:MaxConcurrentNameSearches, 1 here): one more waits for a
/// slot without reaching the database, while a search by service number goes on to it. With <c>cases</c> locked, the
/// running name search and the look-up wait on the lock, the second name search does not; once the lock goes, all answer.
/// </summary>
public sealed class NameSearchSlotsTests(OneNameSearchIntakeFixture intake) : IClassFixture<OneNameSearchIntakeFixture>
{
    [Fact]
    public async Task A_name_search_beyond_the_bound_waits_for_a_slot_while_a_lookup_by_number_goes_to_the_database()
    {
        var connection = await intake.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!));
        var locked = await RawGrpc.LockAsync(connection, "cases");
        Task<SearchCasesResponse> running, waiting, lookup;
        try
        {
            running = Search(new SearchCasesRequest { Name = "Ivanov", PageSize = 5 });
            await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() == 1, TimeSpan.FromSeconds(30), "the first name search to wait on the lock");
            waiting = Search(new SearchCasesRequest { Name = "Petrenko", PageSize = 5 });
            lookup = Search(new SearchCasesRequest { ServiceNumber = "AB-123456", PageSize = 5 });
            await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() >= 2, TimeSpan.FromSeconds(30), "the look-up to wait on the lock");

            // The second name search waits for the slot, not for the lock (without the bound it reaches the lock at once).
            await Task.Delay(TimeSpan.FromMilliseconds(750));
            Assert.Equal(2, await locked.WaitingSessionsAsync());
            Assert.False(running.IsCompleted || waiting.IsCompleted || lookup.IsCompleted);
        }
        finally
        {
            await locked.DisposeAsync();
        }

        var answers = await Task.WhenAll(running, waiting, lookup);
        Assert.All(answers, a => Assert.Empty(a.Cases));
    }

    /// <summary>A name search that waits for a slot until the service's own bound says so (DEADLINE_EXCEEDED naming the setting).</summary>
    [Fact]
    public async Task A_name_search_that_waits_for_a_slot_past_the_services_bound_says_it_waited_for_one()
    {
        var connection = await intake.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!));
        var locked = await RawGrpc.LockAsync(connection, "cases");
        Task<SearchCasesResponse> running;
        RpcException error;
        try
        {
            running = Search(new SearchCasesRequest { Name = "Ivanov", PageSize = 5 });
            await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() == 1, TimeSpan.FromSeconds(30), "the first name search to wait on the lock");
            // No deadline: the service's bound for such a call (Grpc:UnaryCallTimeout, 3 s here).
            error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.SearchCasesAsync(new SearchCasesRequest { Name = "Petrenko", PageSize = 5 }).ResponseAsync);
        }
        finally
        {
            await locked.DisposeAsync();
        }

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("(Grpc:UnaryCallTimeout).", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("waited for a name-search slot (Intake:Search:MaxConcurrentNameSearches); nothing was read.", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await running).Cases);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    public void A_bound_out_of_range_stops_the_service_at_start_naming_it(string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{NameSearchSlots.Section}:MaxConcurrentNameSearches"] = value })
            .Build();

        var error = Assert.Throws<Registry.ServiceDefaults.Hosting.InvalidConfigurationException>(() => NameSearchLimits.From(configuration));

        Assert.Equal($"Intake:Search:MaxConcurrentNameSearches must be between 1 and 64, not {value}.", error.Message);
    }

    private Task<SearchCasesResponse> Search(SearchCasesRequest request) =>
        intake.Client.SearchCasesAsync(request, deadline: DateTime.UtcNow.AddSeconds(40)).ResponseAsync;
}

/// <summary>Intake running one name search at a time, a call without a deadline bounded at 3 s and one with a deadline at 14 s, on a database of its own (the tests lock its cases).</summary>
public sealed class OneNameSearchIntakeFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Intake:Search:MaxConcurrentNameSearches"] = "1",
        ["Grpc:UnaryCallTimeout"] = "00:00:03",
        // The first test's calls wait on the lock and for the slot: as much time as the pool's wait allows (15 s), for loaded machines.
        ["Grpc:MaxUnaryCallTimeout"] = "00:00:14",
    };
}
