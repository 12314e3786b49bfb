using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Where access tokens come from and how they name the caller (configuration section <c>Auth</c>).
/// The services validate tokens themselves against the authority's discovery document and JWKS
/// (OpenID Connect Discovery 1.0; RFC 7517), so pointing the registry at an agency's Keycloak or
/// Entra ID is configuration: <see cref="Authority"/>, <see cref="Audience"/> and the claim names.
/// </summary>
public sealed class RegistryAuthOptions
{
    public const string Section = "Auth";

    /// <summary>The issuer URL of the OpenID Connect authority (the registry's own: Registry.Identity). Required.</summary>
    public string Authority { get; set; } = "";

    /// <summary>
    /// Where to read the discovery document when the services reach the authority at another address than
    /// its issuer (e.g. inside a container network); default: <c>{Authority}/.well-known/openid-configuration</c>.
    /// </summary>
    public string? MetadataAddress { get; set; }

    /// <summary>The <c>aud</c> a token must carry; default <c>registry</c>.</summary>
    public string Audience { get; set; } = RegistryClaims.Audience;

    /// <summary>
    /// Refuse an http:// authority. Unset: required unless the authority is on the loopback interface
    /// (the development default, <c>http://127.0.0.1:5184/</c>); a container network sets it false explicitly.
    /// </summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>Whether the discovery document and keys must come over HTTPS (see <see cref="RequireHttpsMetadata"/>).</summary>
    public bool HttpsMetadataRequired => RequireHttpsMetadata ?? !new Uri(Authority).IsLoopback;

    /// <summary>The claim naming the OAuth client; default <c>client_id</c> (Entra ID: <c>azp</c>; Keycloak: <c>azp</c> or <c>client_id</c>).</summary>
    public string ClientIdClaim { get; set; } = RegistryClaims.ClientId;

    /// <summary>The claim naming the caller's agency; default <c>agency</c> (Keycloak: a hard-coded-claim or attribute mapper).</summary>
    public string AgencyClaim { get; set; } = RegistryClaims.Agency;

    /// <summary>The claim carrying the roles; default <c>role</c> (Entra ID app roles: <c>roles</c>).</summary>
    public string RoleClaim { get; set; } = RegistryClaims.Role;

    /// <summary>
    /// Where the authority lists its disabled clients (the registry's own: <c>{issuer}registry/disabled-clients</c>);
    /// unset, a disabled client's tokens stay valid until they expire. See <see cref="Security.DisabledClients"/>.
    /// </summary>
    public string? DisabledClients { get; set; }

    /// <summary>How often the list of disabled clients is fetched: the bound on a disable taking effect.</summary>
    public TimeSpan DisabledClientsRefresh { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many validated access tokens each process remembers (<see cref="ValidatedTokenCache"/>), so that a client's next
    /// call with the same token is not validated again in full; default 4096, 0 validates every call in full.
    /// </summary>
    public int ValidatedTokens { get; set; } = 4096;

    /// <summary>Tolerated clock difference between the authority and the services, e.g. <c>00:00:30</c> (read by <see cref="RegistryAuthentication"/>).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public static RegistryAuthOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<RegistryAuthOptions>() ?? new RegistryAuthOptions();
        if (options.ValidatedTokens is < 0 or > 100_000)
        {
            throw new InvalidConfigurationException(
                $"{Section}:{nameof(ValidatedTokens)} is how many validated tokens a process remembers, 0 (none) to 100000; it is {options.ValidatedTokens}.");
        }

        if (string.IsNullOrWhiteSpace(options.Authority) || !Uri.TryCreate(options.Authority, UriKind.Absolute, out _))
        {
            throw new InvalidConfigurationException(
                $"{Section}:Authority must be the issuer URL of the OpenID Connect authority that issues the registry's access tokens (e.g. http://127.0.0.1:5184/); it is '{options.Authority}'.");
        }

        return options;
    }
}

public static class RegistryAuthentication
{
    /// <summary>
    /// JWT bearer authentication (RFC 6750) against <see cref="RegistryAuthOptions.Authority"/>, the access
    /// table and the access policy. Inbound claims keep their JWT names (no mapping to WS-* URIs).
    /// </summary>
    public static IServiceCollection AddRegistryAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = RegistryAuthOptions.From(configuration);
        DurationSetting.Positive(configuration.GetSection(RegistryAuthOptions.Section), nameof(RegistryAuthOptions.DisabledClientsRefresh), TimeSpan.FromSeconds(10));
        var skew = DurationSetting.Positive(configuration.GetSection(RegistryAuthOptions.Section), nameof(RegistryAuthOptions.ClockSkew), TimeSpan.FromSeconds(30));
        services.AddSingleton(options);
        services.AddSingleton(AccessTable.Default);
        services.AddSingleton<AccessPolicy>();
        services.AddHttpClient(nameof(Security.DisabledClients), c => c.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<DisabledClients>();
        services.AddHostedService(sp => sp.GetRequiredService<DisabledClients>());
        services.AddHostedService<AuthorityWarmup>();
        services.AddHttpContextAccessor();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.Authority = options.Authority;
                jwt.MetadataAddress = options.MetadataAddress ?? "";
                jwt.Audience = options.Audience;
                jwt.RequireHttpsMetadata = options.HttpsMetadataRequired;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = ValidationParameters(options, skew);
                if (options.ValidatedTokens > 0)
                {
                    jwt.TokenHandlers.Clear();
                    jwt.TokenHandlers.Add(new ValidatedTokenCache(options.ValidatedTokens, TimeProvider.System));
                }
            });
        return services;
    }

    /// <summary>
    /// What a token must satisfy besides its signature by one of the authority's keys (RFC 7519 §4.1; the issuer and the
    /// keys come from the authority's discovery document): the audience, a lifetime within <paramref name="clockSkew"/>,
    /// and the claims that name the caller and its roles.
    /// </summary>
    public static TokenValidationParameters ValidationParameters(RegistryAuthOptions options, TimeSpan clockSkew) => new()
    {
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidAudience = options.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = clockSkew,
        NameClaimType = options.ClientIdClaim,
        RoleClaimType = options.RoleClaim,
    };

    /// <summary>Authenticates every request before the endpoints run (health and reflection stay open: they require nothing).</summary>
    public static IApplicationBuilder UseRegistryAuthentication(this IApplicationBuilder app) => app.UseAuthentication();

    /// <summary>The bearer token of the current request (without the scheme), or null.</summary>
    public static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The result of authenticating the current request (cached by the handler for the request).</summary>
    public static Task<AuthenticateResult> AuthenticateAsync(HttpContext context) =>
        context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
}
