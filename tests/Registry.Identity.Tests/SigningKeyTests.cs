using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Registry.Identity.Keys;
using Registry.Testing;

namespace Registry.Identity.Tests;

/// <summary>Keys that persist in the identity database, rotate, and are created once however many servers start.</summary>
public sealed class SigningKeyTests
{
    [Fact]
    public async Task Keys_survive_a_restart()
    {
        await using var host = await IdentityHost.StartPostgresAsync();
        var before = new JsonWebToken(await host.Tokens().GetAsync(IdentityHost.Intake));

        await host.RestartAsync();

        var after = new JsonWebToken(await host.Tokens().GetAsync(IdentityHost.Intake));
        Assert.Equal(before.Kid, after.Kid);
        Assert.True((await host.ValidateAsync(before.EncodedToken)).IsValid);
    }

    [Fact]
    public async Task After_keys_rotate_new_tokens_carry_the_new_kid_and_a_token_of_the_old_key_still_validates()
    {
        await using var host = await IdentityHost.StartPostgresAsync();
        var old = new JsonWebToken(await host.Tokens().GetAsync(IdentityHost.Intake));

        var rotated = await host.WithStoreAsync((_, keys) => keys.RotateAsync(TimeSpan.Zero, TimeSpan.FromHours(1)));
        await host.RestartAsync();

        var fresh = new JsonWebToken(await host.Tokens().GetAsync(IdentityHost.Intake));
        Assert.Equal(rotated.KeyId, fresh.Kid);
        Assert.NotEqual(old.Kid, fresh.Kid);
        var oldResult = await host.ValidateAsync(old.EncodedToken);
        Assert.True(oldResult.IsValid, oldResult.Exception?.Message);
        Assert.True((await host.ValidateAsync(fresh.EncodedToken)).IsValid);
        var listed = await host.WithStoreAsync((_, keys) => keys.ListAsync());
        var previous = Assert.Single(listed, k => k.KeyId == old.Kid);
        // PostgreSQL keeps microseconds.
        Assert.InRange(previous.RetiredAt!.Value - (rotated.NotBefore + TimeSpan.FromHours(1)), TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_key_rotated_with_an_overlap_is_published_at_once_but_signs_only_from_its_start()
    {
        await using var host = await IdentityHost.StartPostgresAsync();
        var old = new JsonWebToken(await host.Tokens().GetAsync(IdentityHost.Intake));

        var rotated = await host.WithStoreAsync((_, keys) => keys.RotateAsync(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1)));
        await host.RestartAsync();

        using var http = host.Server.CreateClient();
        var jwks = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(await http.GetStringAsync(IdentityModule.JwksPath));
        Assert.Equal(new[] { old.Kid, rotated.KeyId }.Order(), jwks.Keys.Select(k => k.Kid).Order());
        Assert.Equal(old.Kid, new JsonWebToken(await host.Tokens().GetAsync(IdentityHost.Intake)).Kid);
    }

    [Fact]
    public async Task Two_servers_starting_on_one_empty_database_end_with_one_signing_key()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        await using var database = await infrastructure.TemporaryDatabaseAsync("identity");
        var settings = IdentityHost.Settings(database.ConnectionString, "Postgres");
        await using var first = IdentityHost.On(settings);
        await using var second = IdentityHost.On(settings);

        await Task.WhenAll(Task.Run(first.Server.WaitUntilReadyAsync), Task.Run(second.Server.WaitUntilReadyAsync));

        var keys = await first.WithStoreAsync((_, store) => store.ListAsync());
        Assert.Single(keys, k => k.Use == SigningKey.Signing);
        Assert.Single(keys, k => k.Use == SigningKey.Encryption);
        var one = new JsonWebToken(await first.Tokens().GetAsync(IdentityHost.Intake));
        var other = new JsonWebToken(await second.Tokens().GetAsync(IdentityHost.Intake));
        Assert.Equal(one.Kid, other.Kid);
        Assert.Equal(2, (await first.WithStoreAsync((clients, _) => clients.ListAsync())).Count);
    }

    [Fact]
    public async Task Concurrent_first_starts_on_an_empty_store_create_one_key_of_each_use()
    {
        await using var host = await IdentityHost.StartPostgresAsync();
        await using (var scope = host.Server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Registry.Identity.Data.IdentityDbContext>();
            await db.Keys.ExecuteDeleteAsync();
        }

        // Eight starts at once on a store with no key: the unique generation lets one insert of each use win.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => host.WithStoreAsync(async (_, keys) =>
        {
            await keys.EnsureAsync();
            return 0;
        }))));

        var listed = await host.WithStoreAsync((_, keys) => keys.ListAsync());
        Assert.Equal([SigningKey.Encryption, SigningKey.Signing], listed.Select(k => k.Use));
    }
}
