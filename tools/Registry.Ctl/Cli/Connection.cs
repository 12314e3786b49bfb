using System.CommandLine;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Registry.ServiceDefaults.Security;

namespace Registry.Ctl.Cli;

/// <summary>
/// How a command reaches the registry: the gateway's address and an access token of an agency system, from the options,
/// else the environment, else the profile (<c>--profile</c>, REGISTRY_PROFILE, default <c>default</c>). A profile is a file,
/// <c>$XDG_CONFIG_HOME/registryctl/profiles/&lt;name&gt;.json</c> (or <c>~/.config/...</c>; REGISTRY_CTL_HOME instead of
/// <c>~/.config/registryctl</c>), owner-only (mode 600), holding the gateway, the authority, the client id and the last
/// token with when to fetch it again; never the secret. <c>registryctl token</c> fills it; later commands with the same
/// profile call with its token until it is due, then need the secret again (--secret or REGISTRY_CLIENT_SECRET).
/// </summary>
public static class Connection
{
    public static readonly Option<string?> Gateway = new("--gateway")
    {
        Description = "The gateway's gRPC address (or REGISTRY_GATEWAY, or the profile's; default http://127.0.0.1:5100).",
    };

    public static readonly Option<string?> Authority = new("--authority")
    {
        Description = "The authorization server (OpenID Connect issuer), e.g. http://127.0.0.1:5184/ (or REGISTRY_AUTHORITY, or the profile's).",
    };

    public static readonly Option<string?> Client = new("--client")
    {
        Description = "The agency system's client id (or REGISTRY_CLIENT, or the profile's).",
    };

    public static readonly Option<string?> Secret = new("--secret")
    {
        Description = "The client's secret (or REGISTRY_CLIENT_SECRET); needed only when the profile has no fresh token. Given here, a new token is fetched.",
    };

    public static readonly Option<string?> Scope = new("--scope") { Description = "The scope asked for (default registry)." };

    public static readonly Option<string?> Profile = new("--profile")
    {
        Description = "Where the connection and the token are kept between commands (or REGISTRY_PROFILE; default 'default').",
    };

    public static readonly Option<int> Deadline = new("--deadline")
    {
        Description = "Seconds each call may take (default 30).",
        DefaultValueFactory = _ => 30,
    };

    public static readonly Option<OutputFormat> OutputFormat = new("--output", "-o")
    {
        Description = "table (default) or json (the RPC's answer as protobuf JSON).",
        DefaultValueFactory = _ => Cli.OutputFormat.Table,
    };

    /// <summary>Adds the connection options to a command that calls the gateway.</summary>
    public static T WithConnection<T>(this T command) where T : Command
    {
        command.Options.Add(Gateway);
        command.Options.Add(Authority);
        command.Options.Add(Client);
        command.Options.Add(Secret);
        command.Options.Add(Scope);
        command.Options.Add(Profile);
        command.Options.Add(Deadline);
        command.Options.Add(OutputFormat);
        return command;
    }

    /// <summary>Adds <c>--output table|json</c> to a command that does not call the gateway (the operator's, on a database or the broker).</summary>
    public static T WithOutput<T>(this T command) where T : Command
    {
        command.Options.Add(OutputFormat);
        return command;
    }

    /// <summary>The profile's settings and token as last saved (empty when none).</summary>
    public sealed record ProfileFile(string? Gateway, string? Authority, string? Client, string? Token, DateTimeOffset? RefreshAt);

    public static string ProfileName(ParseResult parse) =>
        parse.GetValue(Profile) ?? Environment.GetEnvironmentVariable("REGISTRY_PROFILE") ?? "default";

    public static string ProfilePath(string name)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || name.StartsWith('.'))
        {
            throw new UsageException($"--profile must be letters, digits, '-', '_' or '.', not '{name}'.");
        }

        var home = Environment.GetEnvironmentVariable("REGISTRY_CTL_HOME")
            ?? Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "registryctl");
        return Path.Combine(home, "profiles", name + ".json");
    }

    /// <exception cref="UsageException">The profile's file does not read (naming it: delete it, or run <c>registryctl token</c> again).</exception>
    public static ProfileFile ReadProfile(string name)
    {
        var path = ProfilePath(name);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<ProfileFile>(File.ReadAllText(path)) ?? Empty : Empty;
        }
        catch (JsonException ex)
        {
            throw new UsageException($"The profile {path} does not read ({ex.Message}); delete it or run `registryctl token --profile {name}` again.");
        }
    }

    private static readonly ProfileFile Empty = new(null, null, null, null, null);

    private static void SaveProfile(string name, ProfileFile profile)
    {
        var path = ProfilePath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(profile, new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// A token for the command's agency system: the profile's while it is fresh and for the same authority and client, else
    /// a new one by the client-credentials grant (RFC 6749 §4.4), saved in the profile with the gateway and authority used.
    /// </summary>
    /// <exception cref="UsageException">No authority, client or (when a new token is needed) secret.</exception>
    /// <exception cref="TokenRequestException">The authorization server could not be used or refused the client.</exception>
    public static async Task<(string Token, Uri Gateway)> TokenAsync(ParseResult parse, CancellationToken ct, bool forceNew = false)
    {
        var name = ProfileName(parse);
        var profile = ReadProfile(name);
        var gateway = parse.GetValue(Gateway) ?? Environment.GetEnvironmentVariable("REGISTRY_GATEWAY") ?? profile.Gateway ?? "http://127.0.0.1:5100";
        if (!Uri.TryCreate(gateway, UriKind.Absolute, out var gatewayUri) || gatewayUri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--gateway must be an http or https URI, not '{gateway}'.");
        }

        var authority = parse.GetValue(Authority) ?? Environment.GetEnvironmentVariable("REGISTRY_AUTHORITY") ?? profile.Authority;
        var client = parse.GetValue(Client) ?? Environment.GetEnvironmentVariable("REGISTRY_CLIENT") ?? profile.Client;
        // A secret given on the command line asks for a new token (e.g. after the server refused the kept one).
        forceNew |= parse.GetValue(Secret) is not null;
        Called = gatewayUri;
        if (!forceNew && profile.Token is { } cached && profile.RefreshAt > DateTimeOffset.UtcNow
            && (authority is null || authority == profile.Authority) && (client is null || client == profile.Client))
        {
            if (parse.CommandResult.Command.Name == "token" && profile.Gateway != gatewayUri.ToString())
            {
                SaveProfile(name, profile with { Gateway = gatewayUri.ToString() });
            }

            return (cached, gatewayUri);
        }

        if (authority is null || !Uri.TryCreate(authority, UriKind.Absolute, out var authorityUri))
        {
            throw new UsageException(authority is null
                ? $"No token in profile '{name}': pass --authority (e.g. http://127.0.0.1:5184/), --client and --secret, or run `registryctl token` first."
                : $"--authority must be an absolute URI, not '{authority}'.");
        }

        if (client is null)
        {
            throw new UsageException($"No token in profile '{name}': pass --client (the agency system's client id) and --secret.");
        }

        var secret = parse.GetValue(Secret) ?? Environment.GetEnvironmentVariable("REGISTRY_CLIENT_SECRET")
            ?? throw new UsageException($"The token of profile '{name}' is missing or due: pass --secret or set REGISTRY_CLIENT_SECRET.");
        var credentials = new ClientCredentials(authorityUri, client, secret, parse.GetValue(Scope) ?? RegistryClaims.Scope);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var tokens = new ClientCredentialsTokens(http, TimeProvider.System);
        var token = await tokens.GetAsync(credentials, ct);
        // The profile keeps the gateway `registryctl token` was given (or the first one used); --gateway or REGISTRY_GATEWAY on
        // another command is for that command alone.
        var kept = profile.Gateway is null || parse.CommandResult.Command.Name == "token" ? gatewayUri.ToString() : profile.Gateway;
        SaveProfile(name, new ProfileFile(kept, authorityUri.ToString(), client, token, tokens.RefreshAt(credentials)));
        return (token, gatewayUri);
    }

    /// <summary>The gateway the command calls (for an error that could not reach it), once known.</summary>
    public static Uri? Called { get; private set; }

    /// <summary>A call invoker on the gateway whose every call carries the token and the command's deadline.</summary>
    public static async Task<RegistryCalls> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        var deadline = DeadlineOf(parse);
        var (token, gateway) = await TokenAsync(parse, ct);
        return new RegistryCalls(GrpcChannel.ForAddress(gateway, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 }), token, deadline, ct);
    }

    /// <summary><c>--deadline</c>: how long each call may take.</summary>
    public static TimeSpan DeadlineOf(ParseResult parse) => parse.GetValue(Deadline) is var seconds and >= 1 and <= 3600
        ? TimeSpan.FromSeconds(seconds)
        : throw new UsageException($"--deadline must be 1 to 3600 seconds, not {parse.GetValue(Deadline)}.");

    /// <summary>
    /// A channel on the gateway for a command whose calls may outlast a token (the import): the token is had first, so a
    /// refused client ends the command before anything else; each request then carries it, and a new one is fetched (with
    /// the secret) once the profile says it is due. Calls carry no deadline of their own: the command sets each one's.
    /// </summary>
    public static async Task<(GrpcChannel Channel, string Token)> OpenRenewingAsync(ParseResult parse, CancellationToken ct)
    {
        var (token, gateway) = await TokenAsync(parse, ct);
        return (GrpcChannel.ForAddress(gateway, new GrpcChannelOptions
        {
            HttpHandler = new RenewingTokenHandler(parse, token) { InnerHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } },
            // An import's 1,000 results with up to 50 duplicate candidates each outgrow gRPC's default 4 MB.
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        }), token);
    }

    /// <summary>
    /// The agency an access token was issued for (its <c>agency</c> claim, <see cref="RegistryClaims.Agency"/>), read without
    /// checking the signature: the command's own token, read only to check rows before they are sent (the gateway and the
    /// services check it). Null when the token is not a JWT or has no such claim.
    /// </summary>
    public static string? AgencyOf(string token)
    {
        try
        {
            return new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).TryGetPayloadValue<string>(RegistryClaims.Agency, out var agency)
                && !string.IsNullOrWhiteSpace(agency) ? agency : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Puts the profile's token on each request; fetches a new one (once, for all requests in flight) when it is due.</summary>
    private sealed class RenewingTokenHandler(ParseResult parse, string token) : DelegatingHandler
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private string _token = token;
        private DateTimeOffset _refreshAt = RefreshAt(parse);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (DateTimeOffset.UtcNow >= _refreshAt)
            {
                await _gate.WaitAsync(cancellationToken);
                try
                {
                    if (DateTimeOffset.UtcNow >= _refreshAt)
                    {
                        (_token, _) = await TokenAsync(parse, cancellationToken, forceNew: true);
                        _refreshAt = RefreshAt(parse);
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }

            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
            return await base.SendAsync(request, cancellationToken);
        }

        private static DateTimeOffset RefreshAt(ParseResult parse) => ReadProfile(ProfileName(parse)).RefreshAt ?? DateTimeOffset.MaxValue;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _gate.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>The gateway channel of one command, and the options every call of it carries.</summary>
public sealed class RegistryCalls(GrpcChannel channel, string token, TimeSpan deadline, CancellationToken cancellation) : IDisposable
{
    /// <summary>The channel's calls; a write whose outcome a failure leaves open is remembered (<see cref="UnknownOutcome"/>).</summary>
    public CallInvoker Invoker { get; } = channel.Intercept(new UnknownOutcome());

    public Registry.Protos.Intake.V1.IntakeService.IntakeServiceClient Intake => new(Invoker);

    public Registry.Protos.Custody.V1.CustodyService.CustodyServiceClient Custody => new(Invoker);

    public Registry.Protos.Medical.V1.MedicalService.MedicalServiceClient Medical => new(Invoker);

    /// <summary>The bearer token, a deadline from now and the command's cancellation (Ctrl+C).</summary>
    public CallOptions Options => new(new Metadata { { "authorization", $"Bearer {token}" } }, DateTime.UtcNow + deadline, cancellation);

    public void Dispose() => channel.Dispose();
}
