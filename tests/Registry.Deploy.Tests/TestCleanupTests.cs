using Registry.Testing;

namespace Registry.Deploy.Tests;

/// <summary>
/// The test runs' own housekeeping (tests/Registry.Testing): a run sweeps only what runs that are over
/// left behind, never what a test process running in parallel still uses, and a cleanup that fails is
/// logged, never thrown into a run whose tests passed.
/// </summary>
public sealed class TestCleanupTests
{
    private static readonly DateTime Now = new(2026, 11, 30, 21, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime RunStarted = new(2026, 11, 30, 20, 30, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("t_intake_1130203000_4242_0123456789abcdef0123456789")]
    [InlineData("t_e2e_custody_1130203000_4242_0123456789abcdef01")]
    [InlineData("t-Intake-1130203000_4242-0123456789abcdef01234567")]
    public void A_name_of_a_run_whose_process_is_gone_is_a_leftover(string name)
    {
        Assert.Equal((RunStarted, 4242), TestResourceNames.RunOf(name, Now));
        Assert.True(TestResourceNames.IsLeftover(name, Now, _ => null, pidsAreOurs: true));
    }

    [Fact]
    public void A_name_of_a_run_whose_process_still_runs_is_not_a_leftover()
    {
        var name = "t_intake_1130203000_4242_0123456789abcdef0123456789";
        Assert.False(TestResourceNames.IsLeftover(name, Now, _ => RunStarted.AddSeconds(-20), pidsAreOurs: true));
    }

    [Fact]
    public void A_name_whose_pid_now_belongs_to_a_later_process_is_a_leftover()
    {
        var name = "t_intake_1130203000_4242_0123456789abcdef0123456789";
        Assert.True(TestResourceNames.IsLeftover(name, Now, _ => RunStarted.AddMinutes(10), pidsAreOurs: true));
    }

    [Fact]
    public void Pids_of_another_machine_say_nothing_there_only_age_makes_a_leftover()
    {
        var recent = "t_intake_1130203000_4242_0123456789abcdef0123456789";
        var old = "t_intake_1129203000_4242_0123456789abcdef0123456789";
        Assert.False(TestResourceNames.IsLeftover(recent, Now, _ => null, pidsAreOurs: false));
        Assert.True(TestResourceNames.IsLeftover(old, Now, _ => RunStarted, pidsAreOurs: false));
    }

    [Fact]
    public void A_stamp_from_late_last_year_is_read_as_last_year()
    {
        var newYear = new DateTime(2027, 1, 1, 0, 10, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2026, 12, 31, 23, 59, 59, DateTimeKind.Utc),
            TestResourceNames.RunOf("t_intake_1231235959_4242_0123456789abcdef0123456789", newYear)?.StartedUtc);
    }

    [Theory]
    [InlineData("intake")]
    [InlineData("postgres")]
    [InlineData("smoke_4242_intake")]
    [InlineData("t_")]
    [InlineData("t_intake_notastamp_4242_0123")]
    [InlineData("/")]
    [InlineData("t-intake-1130203000_42")]
    public void Other_names_are_never_leftovers(string name)
    {
        Assert.Null(TestResourceNames.RunOf(name, Now));
        Assert.False(TestResourceNames.IsLeftover(name, Now, _ => null, pidsAreOurs: true));
    }

    [Fact]
    public void The_names_this_process_makes_are_not_leftovers_while_it_runs()
    {
        foreach (var name in new[] { TestResourceNames.Database("e2e_custody"), TestResourceNames.VirtualHost("Intake") })
        {
            Assert.Equal(Environment.ProcessId, TestResourceNames.RunOf(name, DateTime.UtcNow)?.Pid);
            Assert.False(TestResourceNames.IsLeftover(name, DateTime.UtcNow, TestResourceNames.ProcessStartUtc, pidsAreOurs: true));
        }
    }

    [Fact]
    public async Task A_drop_that_the_server_refuses_is_logged_with_its_SQLSTATE_not_thrown()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(await infrastructure.CreateDatabaseAsync("cleanup"));
        await infrastructure.DropDatabaseAsync(builder.ConnectionString);
        // template1 is never ours to drop: refused for any role (not owner, or a template database).
        builder.Database = "template1";
        var log = new StringWriter();
        var previous = TestCleanup.Log;
        TestCleanup.Log = TextWriter.Synchronized(log);
        try
        {
            await infrastructure.DropDatabaseAsync(builder.ConnectionString);
        }
        finally
        {
            TestCleanup.Log = previous;
        }

        Assert.Matches("DROP DATABASE template1 failed .*SQLSTATE [0-9A-Z]{5}", log.ToString());
    }

    [Fact]
    public async Task A_cleanup_step_that_throws_is_logged_and_reported_as_failed()
    {
        var log = new StringWriter();
        var previous = TestCleanup.Log;
        TestCleanup.Log = TextWriter.Synchronized(log);
        try
        {
            Assert.False(await TestCleanup.TryAsync("delete virtual host t-x", () => throw new HttpRequestException("503")));
            Assert.True(await TestCleanup.TryAsync("delete virtual host t-y", () => Task.CompletedTask));
        }
        finally
        {
            TestCleanup.Log = previous;
        }

        Assert.Contains("delete virtual host t-x failed", log.ToString());
        Assert.DoesNotContain("t-y", log.ToString());
    }
}
