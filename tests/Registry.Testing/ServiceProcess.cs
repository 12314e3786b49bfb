using System.Diagnostics;
using System.Text;

namespace Registry.Testing;

/// <summary>
/// A service run as its own process from its build output, as in production: its own Program,
/// configuration from environment variables, real ports.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private bool _disposed;

    private ServiceProcess(string name, Process process, int grpcPort, int httpPort)
    {
        Name = name;
        _process = process;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public string Name { get; }
    public int GrpcPort { get; }
    public int HttpPort { get; }
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts services/Registry.{name} on free ports, validating tokens of the test process's
    /// <see cref="TestAuthority"/> unless <paramref name="environment"/> names another, and waits until
    /// its /readyz answers 200. <paramref name="grpcPort"/> fixes its gRPC port beforehand (from <see cref="FreePort.Next"/>),
    /// so that services started at the same time can be told where it will listen.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string name, IReadOnlyDictionary<string, string> environment, int? grpcPort = null)
    {
        grpcPort ??= FreePort.Next();
        var httpPort = FreePort.Next();
        var settings = new Dictionary<string, string>((await TestAuthority.GetAsync()).ServiceEnvironment);
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        settings["Ports__Grpc"] = grpcPort.Value.ToString();
        settings["Ports__Http"] = httpPort.ToString();
        return await StartAsync(name, Path.Combine("services", $"Registry.{name}"), grpcPort.Value, httpPort, settings);
    }

    /// <summary>
    /// The settings of the authorization server (services/Registry.Identity) run as a process on <paramref name="database"/>
    /// and the two ports, issuing tokens as <c>http://127.0.0.1:{httpPort}/</c> over plain HTTP; add to them what a test needs.
    /// </summary>
    public static Dictionary<string, string> IdentitySettings(string database, int grpcPort, int httpPort) => new()
    {
        ["Ports__Grpc"] = grpcPort.ToString(),
        ["Ports__Http"] = httpPort.ToString(),
        ["ConnectionStrings__Identity"] = database,
        ["Identity__Issuer"] = $"http://127.0.0.1:{httpPort}/",
        ["Identity__RequireHttps"] = "false",
    };

    /// <summary>
    /// Starts the build output of the project in <paramref name="projectDirectory"/> (relative to the
    /// repository) and waits until /readyz on <paramref name="httpPort"/> answers 200.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string name, string projectDirectory, int grpcPort, int httpPort, IReadOnlyDictionary<string, string> environment)
    {
        var project = Path.GetFileName(projectDirectory);
        var dll = Path.Combine(RepositoryRoot, projectDirectory, "bin", BuildConfiguration, "net10.0", $"{project}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the solution first: {dll} is missing.", dll);
        }

        // A test run started in the background of a non-interactive shell (`… &`, nohup in a script)
        // inherits SIGINT ignored, and a .NET host keeps an ignored SIGINT ignored: the Ctrl+C that
        // StopAsync sends would never arrive. env (coreutils 8.31+) restores the default for the child.
        var start = SigIntIgnored() ? new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", dll]) : new ProcessStartInfo("dotnet", [dll]);
        start.WorkingDirectory = Path.GetDirectoryName(dll)!;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        // Several services share two cores in a test run: workstation GC keeps each one small.
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var service = new ServiceProcess(name, process, grpcPort, httpPort);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            // A process that exited ends the wait (a probe that threw would only be tried again until the timeout).
            await Eventually.TrueAsync(async () => process.HasExited || (await http.GetAsync("/readyz")).IsSuccessStatusCode,
                // A hang guard, not a speed check: on a loaded 2-core CI machine a start has taken over 90 s.
                TimeSpan.FromSeconds(180), $"{name} to report ready");
            if (process.HasExited)
            {
                // Read the rest of its output first (WaitForExitAsync waits for both streams' end): its last lines say why.
                using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(drained.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready.");
            }
        }
        catch (Exception ex)
        {
            await service.DisposeAsync();
            throw new InvalidOperationException($"{name} did not become ready. Its output:\n{service.Output}", ex);
        }

        return service;
    }

    /// <summary>Whether this process ignores SIGINT (signal 2: bit 1 of SigIgn in /proc/self/status).</summary>
    private static bool SigIntIgnored()
    {
        const string status = "/proc/self/status";
        var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out var ignored)
            && (ignored & (1UL << 1)) != 0;
    }

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Asks the process to stop as Ctrl+C would, and waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString()]);
        await interrupt.WaitForExitAsync();
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
    }

    /// <summary>Kills the process at once, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await KillAsync();
        _process.Dispose();
    }

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The configuration the tests were built in (Release or Debug): the processes they run are taken from the same.</summary>
    public static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Registry.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Registry.sln above {AppContext.BaseDirectory}.");
    }
}
