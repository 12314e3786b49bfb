using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Custody.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>
/// Two replicas of a service on one database (issue 17): one publishes the outbox, the other stands by; when the leader
/// stops, or its session dies with it, the standby takes the lead at its next try. PostgreSQL's advisory lock, for real.
/// </summary>
public sealed class OutboxLeadershipTests
{
    [Fact]
    public async Task One_replica_leads_the_other_stands_by_and_takes_over_when_the_leader_goes()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        await using var database = await infrastructure.TemporaryDatabaseAsync("custody-leadership");
        try
        {
            await using var first = Replica(database.ConnectionString);
            await using var second = Replica(database.ConnectionString);

            Assert.True(await first.HoldAsync(CancellationToken.None));
            Assert.False(await second.HoldAsync(CancellationToken.None));
            // Asked again, the leader keeps the lead and the standby still waits.
            Assert.True(await first.HoldAsync(CancellationToken.None));
            Assert.False(await second.HoldAsync(CancellationToken.None));

            // The leader stops: its session ends, and the standby leads from its next try.
            await first.DisposeAsync();
            Assert.True(await second.HoldAsync(CancellationToken.None));

            // The leader's session is killed under it (a replica that lost its database): it notices, and no longer leads.
            await using var third = Replica(database.ConnectionString);
            Assert.False(await third.HoldAsync(CancellationToken.None));
            await using (var admin = new Npgsql.NpgsqlConnection(database.ConnectionString))
            {
                await admin.OpenAsync();
                await using var kill = new Npgsql.NpgsqlCommand(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() " +
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", admin);
                Assert.Equal(1L, await kill.ExecuteScalarAsync());
            }

            // The lock went with the session: a standby takes the lead, and the old leader, at its next round, finds its session
            // gone and does not lead beside it.
            await Eventually.TrueAsync(() => third.HoldAsync(CancellationToken.None), TimeSpan.FromSeconds(10),
                "the third replica to take the lead once the leader's session is gone");
            Assert.False(await second.HoldAsync(CancellationToken.None));
            Assert.True(await third.HoldAsync(CancellationToken.None));
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }

    private static OutboxLeadership<CustodyDbContext> Replica(string database)
    {
        var services = new ServiceCollection();
        services.AddDbContext<CustodyDbContext>(o => o.UseNpgsql(database));
        var provider = services.BuildServiceProvider();
        return new OutboxLeadership<CustodyDbContext>(provider.GetRequiredService<IServiceScopeFactory>(), NullLogger<OutboxLeadership<CustodyDbContext>>.Instance);
    }
}
