using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.Testing;

/// <summary>
/// One service in-process (TestServer) with the given settings, reached through a real gRPC
/// channel over the test server's handler. <typeparamref name="TMarker"/> is any type of the
/// service's assembly (every service's Program is the same global type).
/// </summary>
/// <param name="configureServices">Replaces services after the service's own registrations, e.g. a clock a test can move.</param>
public sealed class ServiceFactory<TMarker>(
    IReadOnlyDictionary<string, string?> settings,
    Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<TMarker>
    where TMarker : class
{
    private GrpcChannel? _channel;

    /// <summary>The in-memory channel to the service, without credentials.</summary>
    public GrpcChannel RawChannel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = Server.CreateHandler(),
    });

    /// <summary>Calls as <see cref="TestCallers.Operator"/> (every role, the request's own agency).</summary>
    public CallInvoker Channel => TestCallers.Operator(RawChannel);

    /// <summary>Calls as a client of <paramref name="agency"/> with <paramref name="roles"/>.</summary>
    public CallInvoker As(string agency, params string[] roles) => TestCallers.As(RawChannel, agency, roles);

    /// <summary>
    /// An HTTP client of the service's HTTP/1.1 port as the test server sees it: the Host header names the configured
    /// <c>Ports:Http</c>, where <c>/metrics</c> answers (as Prometheus reaches it), not on the gRPC port.
    /// </summary>
    public HttpClient CreateHttpPortClient()
    {
        var client = CreateClient();
        if (Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Ports:Http"] is { Length: > 0 } port)
        {
            client.DefaultRequestHeaders.Host = $"localhost:{port}";
        }

        return client;
    }

    /// <summary>Starts the service and waits until /readyz says its database and broker answer.</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var http = CreateClient();
        await Eventually.TrueAsync(async () => (await http.GetAsync("/readyz")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), $"{typeof(TMarker).Assembly.GetName().Name} to report ready");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Tokens come from the test process's real authorization server unless a test names another authority.
        foreach (var (key, value) in TestAuthority.Current.ServiceSettings)
        {
            builder.UseSetting(key, value);
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await base.DisposeAsync();
    }
}
