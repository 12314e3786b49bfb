using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Registry.Identity.Clients;
using Registry.Identity.Data;
using Registry.Identity.Data.Sqlite;
using Registry.Identity.Keys;
using Registry.Identity.Server;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Identity;

/// <summary>
/// The registry's OpenID Connect authorization server as a module: its own Program.cs calls these, and so
/// can a host that composes several services (the embedded mode). OAuth 2.0 client-credentials grant only
/// (RFC 6749 §4.4), on OpenIddict; access tokens are signed JWTs (RFC 9068) any standard JwtBearer validates.
/// </summary>
public static class IdentityModule
{
    /// <summary>The name of its database connection string (ConnectionStrings:Identity).</summary>
    public const string ConnectionName = "Identity";

    /// <summary>The token endpoint (RFC 6749 §3.2).</summary>
    public const string TokenPath = "/connect/token";

    /// <summary>The JSON Web Key Set endpoint, listed as <c>jwks_uri</c> in the discovery document.</summary>
    public const string JwksPath = "/.well-known/jwks";

    /// <summary>The store (applications, tokens, keys), OpenIddict's core managers on it, the client registry and the key store: what registryctl needs too.</summary>
    public static IHostApplicationBuilder AddIdentityStore(this IHostApplicationBuilder builder)
    {
        builder.AddRegistryDatabase<IdentityDbContext, SqliteIdentityDbContext>(ConnectionName);
        builder.Services.AddOpenIddict().AddCore(core =>
        {
            core.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>();
            // Several replicas write the same clients (configuration at start, registryctl): a lookup cached in one
            // server would hide another's row (a start racing another then failed "client identifier already exists").
            core.DisableEntityCaching();
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ClientRegistry>();
        builder.Services.AddScoped<SigningKeyStore>();
        return builder;
    }

    public static IHostApplicationBuilder AddIdentityServer(this IHostApplicationBuilder builder)
    {
        var settings = IdentitySettings.From(builder.Configuration);
        builder.AddIdentityStore();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<KeyRing>();
        // After the store's migration (registered by AddRegistryDatabase above), before traffic.
        builder.Services.AddHostedService<IdentityStartup>();
        builder.Services.AddSingleton<TokenPruning>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TokenPruning>());
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureServerKeys>();

        builder.Services.AddOpenIddict()
            .AddServer(server =>
            {
                server.SetIssuer(settings.Issuer);
                server.SetTokenEndpointUris(TokenPath.TrimStart('/'));
                server.SetJsonWebKeySetEndpointUris(JwksPath.TrimStart('/'));
                server.AllowClientCredentialsFlow();
                server.RegisterScopes(RegistryClaims.Scope);
                server.RegisterClaims(RegistryClaims.ClientId, RegistryClaims.Agency, RegistryClaims.Role);
                server.SetAccessTokenLifetime(settings.AccessTokenLifetime);
                // Plain signed JWTs, so any JwtBearer validates them with the published keys alone.
                server.DisableAccessTokenEncryption();
                var aspNetCore = server.UseAspNetCore().EnableTokenEndpointPassthrough();
                if (!settings.RequireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });
        builder.Services.AddAuthentication();
        builder.Services.AddAuthorization();
        return builder;
    }

    public static IEndpointRouteBuilder MapIdentityServer(this IEndpointRouteBuilder app)
    {
        app.MapPost(TokenPath, TokenEndpoint.HandleAsync);
        app.MapGet(DisabledClientsEndpoint.Path, DisabledClientsEndpoint.HandleAsync);
        return app;
    }
}
