using System.Diagnostics;
using System.Reflection;

namespace Registry.Embedded.Dashboard;

/// <summary>
/// Runs the Aspire dashboard (NuGet Aspire.Dashboard.Sdk.linux-x64, a self-contained executable)
/// beside the registry, receiving OTLP on <see cref="EmbeddedOptions.DashboardOtlpPort"/>. Both
/// listen on loopback only, without login: a developer's dashboard, not an operator's.
/// </summary>
/// <remarks>
/// Also stopped when the host is disposed without having stopped (a start that failed, e.g. a port in use):
/// the dashboard never outlives the host that started it and holds its ports. A host killed with -9 cannot
/// do this; the next start's dashboard then reports its ports taken and the registry runs on without it.
/// </remarks>
public sealed class AspireDashboardProcess(EmbeddedOptions options, ILogger<AspireDashboardProcess> logger) : IHostedService, IDisposable
{
    private Process? _process;

    public static string? ExecutablePath =>
        Environment.GetEnvironmentVariable("REGISTRY_ASPIRE_DASHBOARD")
        ?? typeof(AspireDashboardProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AspireDashboardPath")?.Value;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = ExecutablePath;
        if (path is null || !File.Exists(path))
        {
            logger.LogWarning("The Aspire dashboard was not found at {Path}; running without it (restore the solution, or set REGISTRY_ASPIRE_DASHBOARD)", path);
            return Task.CompletedTask;
        }

        var start = new ProcessStartInfo(path)
        {
            WorkingDirectory = Path.GetDirectoryName(path)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = options.DashboardAddress.ToString();
        start.Environment["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] = options.DashboardOtlpAddress.ToString();
        start.Environment["DASHBOARD__FRONTEND__AUTHMODE"] = "Unsecured";
        start.Environment["DASHBOARD__OTLP__AUTHMODE"] = "Unsecured";
        start.Environment["DASHBOARD__API__AUTHMODE"] = "Unsecured";
        start.Environment["DASHBOARD__TELEMETRYLIMITS__MAXTRACECOUNT"] = "100000";
        _process = Process.Start(start);
        if (_process is not null)
        {
            _process.OutputDataReceived += (_, e) => LogLine(e.Data);
            _process.ErrorDataReceived += (_, e) => LogLine(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        _process?.Dispose();
    }

    private void LogLine(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line) && line.Contains("fail", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogWarning("dashboard: {Line}", line);
        }
    }
}
