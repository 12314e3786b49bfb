using Microsoft.IdentityModel.JsonWebTokens;
using Registry.ServiceDefaults.Security;

namespace Registry.Identity.Tests;

/// <summary>The embedded mode's store: the same server on a SQLite file.</summary>
public sealed class EmbeddedStoreTests
{
    [Fact]
    public async Task On_SQLite_a_configured_client_gets_a_token_and_the_key_survives_a_restart()
    {
        var directory = Directory.CreateTempSubdirectory("registry-identity-");
        try
        {
            var settings = IdentityHost.Settings($"Data Source={Path.Combine(directory.FullName, "identity.db")}", "Sqlite");
            await using var host = IdentityHost.On(settings);
            await host.Server.WaitUntilReadyAsync();
            var before = new JsonWebToken(await host.Tokens().GetAsync(IdentityHost.Medic));

            await host.RestartAsync();

            var after = new JsonWebToken(await host.Tokens().GetAsync(IdentityHost.Medic));
            Assert.Equal(before.Kid, after.Kid);
            Assert.Equal("UA-SBU", after.GetClaim(RegistryClaims.Agency).Value);
            Assert.True((await host.ValidateAsync(before.EncodedToken)).IsValid);
            var secret = await host.WithStoreAsync((clients, _) => clients.RotateSecretAsync(IdentityHost.Medic.ClientId));
            Assert.Equal("invalid_client", (await host.RequestTokenAsync(IdentityHost.Medic.ClientId, IdentityHost.Medic.Secret)).Body.GetProperty("error").GetString());
            Assert.NotEmpty(await host.Tokens().GetAsync(IdentityHost.Medic with { Secret = secret }));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }
}
