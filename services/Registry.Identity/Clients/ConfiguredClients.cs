using Registry.ServiceDefaults.Hosting;
namespace Registry.Identity.Clients;

/// <summary>
/// Clients declared in configuration (<c>Identity:Clients:N:ClientId</c>, <c>:Secret</c>, <c>:Agency</c>,
/// <c>:Roles:M</c>, <c>:DisplayName</c>, <c>:Enabled</c>), created or updated at every start.
/// </summary>
public static class ConfiguredClients
{
    public const string Section = "Identity:Clients";

    /// <summary>The clients with their secrets.</summary>
    /// <exception cref="InvalidOperationException">An entry without a client id or a secret, naming its key.</exception>
    public static IReadOnlyList<(AgencyClient Client, string Secret)> From(IConfiguration configuration) =>
        configuration.GetSection(Section).GetChildren().Select(entry =>
        {
            var clientId = entry["ClientId"];
            var secret = entry["Secret"];
            if (string.IsNullOrWhiteSpace(clientId) || string.IsNullOrEmpty(secret))
            {
                throw new InvalidConfigurationException($"{entry.Path} needs ClientId and Secret.");
            }

            var client = new AgencyClient(
                clientId,
                entry["DisplayName"] ?? clientId,
                entry["Agency"] ?? "",
                entry.GetSection("Roles").GetChildren().Select(r => r.Value ?? "").ToList(),
                entry.GetValue("Enabled", true));
            return (client, secret);
        }).ToList();
}
