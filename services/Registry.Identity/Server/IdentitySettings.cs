using Registry.ServiceDefaults.Hosting;

namespace Registry.Identity.Server;

/// <summary>The authorization server's settings (configuration section <c>Identity</c>), checked at start.</summary>
/// <param name="Issuer"><c>Identity:Issuer</c>: the absolute URI tokens name in <c>iss</c> and discovery lists endpoints under, e.g. <c>http://127.0.0.1:5184/</c>.</param>
/// <param name="AccessTokenLifetime"><c>Identity:AccessTokenLifetime</c> (default 10 minutes): also the longest a disabled client's issued token keeps working.</param>
/// <param name="RequireHttps"><c>Identity:RequireHttps</c> (default true): OpenIddict refuses plain HTTP requests unless false (development, tests, a TLS-terminating proxy).</param>
public sealed record IdentitySettings(Uri Issuer, TimeSpan AccessTokenLifetime, bool RequireHttps)
{
    public const string Section = "Identity";

    /// <exception cref="InvalidConfigurationException">Issuer unset or not an absolute URI, or a bad lifetime, naming the key.</exception>
    public static IdentitySettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var issuer = section["Issuer"];
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri))
        {
            throw new InvalidConfigurationException($"{Section}:Issuer must be an absolute URI (e.g. http://127.0.0.1:5184/), not '{issuer}'.");
        }

        return new IdentitySettings(
            issuerUri,
            DurationSetting.Positive(section, "AccessTokenLifetime", TimeSpan.FromMinutes(10)),
            section.GetValue("RequireHttps", true));
    }
}
