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

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = Server.CreateHandler(),
    });

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
