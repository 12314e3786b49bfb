using Registry.Identity.Clients;

namespace Registry.Identity.Server;

/// <summary>
/// <c>GET /registry/disabled-clients</c>: the ids of the disabled clients, <c>{"clients":["id", ...]}</c>.
/// A JWT stays valid until it expires; the services fetch this list every few seconds
/// (<c>Auth:DisabledClients</c>) and refuse the tokens of a disabled client, so a disable takes effect within
/// that interval rather than the token lifetime. It names client ids only (no secret, agency or role).
/// </summary>
public static class DisabledClientsEndpoint
{
    public const string Path = "/registry/disabled-clients";

    internal static async Task<IResult> HandleAsync(ClientRegistry registry, CancellationToken ct)
    {
        var clients = await registry.ListAsync(ct);
        return Results.Json(new { clients = clients.Where(c => !c.Enabled).Select(c => c.ClientId).Order(StringComparer.Ordinal) });
    }
}
