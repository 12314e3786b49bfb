using System.Text.Json;
using OpenIddict.Abstractions;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Registry.Identity.Clients;

/// <summary>
/// The registered agency systems, through OpenIddict's application manager (which hashes secrets, PBKDF2):
/// used by the server at start (clients from configuration), by the token endpoint and by registryctl.
/// </summary>
public sealed class ClientRegistry(IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens)
{
    private const string AgencyProperty = "agency";
    private const string RolesProperty = "roles";
    private const string EnabledProperty = "enabled";

    /// <summary>
    /// Creates the client with this secret, or brings an existing one's agency, roles and display name to these
    /// values. An existing client keeps its secret (registryctl rotate-secret wins over configuration) and stays
    /// disabled once disabled (configuration can disable, not re-enable: registryctl clients create a new one).
    /// Idempotent; two servers starting with the same configuration end with one application.
    /// </summary>
    /// <returns>True when something was written.</returns>
    /// <exception cref="ArgumentException">An invalid client (<see cref="AgencyClient.Validate"/>) or an empty secret.</exception>
    public async Task<bool> EnsureAsync(AgencyClient client, string secret, CancellationToken ct = default)
    {
        client.Validate();
        if (string.IsNullOrEmpty(secret))
        {
            throw new ArgumentException($"Client '{client.ClientId}' needs a secret.");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var existing = await applications.FindByClientIdAsync(client.ClientId, ct);
                if (existing is null)
                {
                    await applications.CreateAsync(Describe(client, secret), ct);
                    return true;
                }

                // An existing client keeps what an operator changed with registryctl: its secret (rotate-secret) and
                // a disable. Configuration may disable a client, never enable it again; its agency, roles and
                // display name follow the configuration.
                var current = await ReadAsync(existing, ct);
                var wanted = client with { Enabled = current.Enabled && client.Enabled };
                if (current.SameAs(wanted))
                {
                    return false;
                }

                var descriptor = new OpenIddictApplicationDescriptor();
                await applications.PopulateAsync(descriptor, existing, ct);
                descriptor.DisplayName = wanted.DisplayName;
                descriptor.Properties[AgencyProperty] = JsonSerializer.SerializeToElement(wanted.Agency);
                descriptor.Properties[RolesProperty] = JsonSerializer.SerializeToElement(wanted.Roles.ToArray());
                descriptor.Properties[EnabledProperty] = JsonSerializer.SerializeToElement(wanted.Enabled);
                await applications.UpdateAsync(existing, descriptor, ct);
                if (!wanted.Enabled)
                {
                    await tokens.RevokeByApplicationIdAsync((await applications.GetIdAsync(existing, ct))!, ct);
                }

                return true;
            }
            catch (Exception ex) when (attempt < LostRace.MaxAttempts
                && (LostRace.Is(ex) || ex is OpenIddictExceptions.ConcurrencyException or OpenIddictExceptions.ValidationException))
            {
                // Another replica wrote it meanwhile (OpenIddict's own uniqueness check may see its row first, and
                // answers "same client identifier already exists"): read again.
            }
        }
    }

    /// <summary>Registers a new client with a fresh secret.</summary>
    /// <returns>The secret, which is stored only hashed: shown once.</returns>
    /// <exception cref="InvalidOperationException">The client id is taken.</exception>
    public async Task<string> CreateAsync(AgencyClient client, CancellationToken ct = default)
    {
        client.Validate();
        if (await applications.FindByClientIdAsync(client.ClientId, ct) is not null)
        {
            throw new InvalidOperationException($"Client '{client.ClientId}' exists already.");
        }

        var secret = AgencyClient.NewSecret();
        await applications.CreateAsync(Describe(client, secret), ct);
        return secret;
    }

    /// <summary>Every client, by client id; secrets are never read back.</summary>
    public async Task<IReadOnlyList<AgencyClient>> ListAsync(CancellationToken ct = default)
    {
        var clients = new List<AgencyClient>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, ct))
        {
            clients.Add(await ReadAsync(application, ct));
        }

        return clients.OrderBy(c => c.ClientId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The client, or null when none has this id.</summary>
    public async Task<AgencyClient?> FindAsync(string clientId, CancellationToken ct = default) =>
        await applications.FindByClientIdAsync(clientId, ct) is { } application ? await ReadAsync(application, ct) : null;

    /// <summary>Replaces the secret: the old one is refused from now on (tokens already issued stay valid until they expire); configuration does not bring the old one back.</summary>
    /// <returns>The new secret, shown once.</returns>
    /// <exception cref="InvalidOperationException">No such client.</exception>
    public async Task<string> RotateSecretAsync(string clientId, CancellationToken ct = default)
    {
        var application = await FindApplicationAsync(clientId, ct);
        var secret = AgencyClient.NewSecret();
        await applications.UpdateAsync(application, secret, ct);
        return secret;
    }

    /// <summary>
    /// Disables a client: the token endpoint answers invalid_client (RFC 6749 §5.2), its tokens are marked revoked in
    /// the store, and it is listed at /registry/disabled-clients, from which the services refuse its JWTs within
    /// Auth:DisabledClientsRefresh (10 s); for a service without that list, at the token's expiry.
    /// </summary>
    /// <returns>How many stored tokens were revoked.</returns>
    /// <exception cref="InvalidOperationException">No such client.</exception>
    public async Task<long> DisableAsync(string clientId, CancellationToken ct = default)
    {
        var application = await FindApplicationAsync(clientId, ct);
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, ct);
        descriptor.Properties[EnabledProperty] = JsonSerializer.SerializeToElement(false);
        await applications.UpdateAsync(application, descriptor, ct);
        return await tokens.RevokeByApplicationIdAsync((await applications.GetIdAsync(application, ct))!, ct);
    }

    /// <summary>The client as the token endpoint sees it, from OpenIddict's application object.</summary>
    public async Task<AgencyClient> ReadAsync(object application, CancellationToken ct = default)
    {
        var properties = await applications.GetPropertiesAsync(application, ct);
        return new AgencyClient(
            (await applications.GetClientIdAsync(application, ct))!,
            await applications.GetDisplayNameAsync(application, ct) ?? "",
            properties.TryGetValue(AgencyProperty, out var agency) ? agency.GetString() ?? "" : "",
            properties.TryGetValue(RolesProperty, out var roles) ? roles.Deserialize<string[]>() ?? [] : [],
            // A client without the flag (created by another tool) is enabled.
            !properties.TryGetValue(EnabledProperty, out var enabled) || enabled.GetBoolean());
    }

    private async Task<object> FindApplicationAsync(string clientId, CancellationToken ct) =>
        await applications.FindByClientIdAsync(clientId, ct)
            ?? throw new InvalidOperationException($"No client '{clientId}'.");

    private static OpenIddictApplicationDescriptor Describe(AgencyClient client, string secret)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = client.DisplayName,
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.ClientCredentials,
                Permissions.Prefixes.Scope + RegistryClaims.Scope,
            },
        };
        descriptor.Properties[AgencyProperty] = JsonSerializer.SerializeToElement(client.Agency);
        descriptor.Properties[RolesProperty] = JsonSerializer.SerializeToElement(client.Roles.ToArray());
        descriptor.Properties[EnabledProperty] = JsonSerializer.SerializeToElement(client.Enabled);
        return descriptor;
    }
}
