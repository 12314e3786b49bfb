using System.Diagnostics;
using Xunit;

namespace Registry.Testing;

/// <summary>
/// registryctl as an operator runs it: the built tool (tools/Registry.Ctl, in the tests' own configuration) as a process,
/// with its profiles in a folder of this runner's own (REGISTRY_CTL_HOME, deleted on dispose) so a test never reads or
/// writes the home of whoever runs it, and without the REGISTRY_* connection variables of the environment the tests run
/// in unless a test sets them. A run that outlasts its timeout is killed with its children.
/// </summary>
public sealed class RegistryCtl(IReadOnlyDictionary<string, string>? environment = null) : IDisposable
{
    private static readonly string[] ConnectionVariables =
        ["REGISTRY_GATEWAY", "REGISTRY_AUTHORITY", "REGISTRY_CLIENT", "REGISTRY_CLIENT_SECRET", "REGISTRY_PROFILE"];

    /// <summary>The profiles' folder (REGISTRY_CTL_HOME): <c>profiles/&lt;name&gt;.json</c>.</summary>
    public string Home { get; } = Directory.CreateTempSubdirectory("registryctl-home-").FullName;

    /// <summary>How long one run may take: a cold process on a busy 2-core machine starts in seconds, an import takes longer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    public static string Dll => Path.Combine(ServiceProcess.RepositoryRoot, "tools", "Registry.Ctl", "bin", ServiceProcess.BuildConfiguration, "net10.0", "registryctl.dll");

    public Task<RegistryCtlRun> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs <c>registryctl &lt;arguments&gt;</c> with <paramref name="variables"/> set in its environment, to its exit.</summary>
    public async Task<RegistryCtlRun> RunAsync(IReadOnlyDictionary<string, string> variables, params string[] arguments)
    {
        await using var running = Start(variables, arguments);
        return await running.ExitAsync();
    }

    /// <summary>
    /// Starts <c>registryctl &lt;arguments&gt;</c> and returns while it runs: a test can read its standard error so far and send
    /// it a signal (an operator's Ctrl+C, a runner's SIGTERM) before <see cref="RunningRegistryCtl.ExitAsync"/>.
    /// </summary>
    public RunningRegistryCtl Start(IReadOnlyDictionary<string, string> variables, params string[] arguments)
    {
        if (!File.Exists(Dll))
        {
            throw new FileNotFoundException($"Build tools/Registry.Ctl ({ServiceProcess.BuildConfiguration}) first: {Dll} is missing.", Dll);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in ConnectionVariables)
        {
            start.Environment.Remove(variable);
        }

        start.Environment["REGISTRY_CTL_HOME"] = Home;
        foreach (var (key, value) in (environment ?? new Dictionary<string, string>()).Concat(variables))
        {
            start.Environment[key] = value;
        }

        return new RunningRegistryCtl(Process.Start(start)!, string.Join(' ', arguments), Timeout);
    }

    /// <summary>
    /// <c>registryctl token</c> into <paramref name="profile"/> as a client of <paramref name="agency"/> with
    /// <paramref name="role"/> from the test's authorization server, keeping <paramref name="gateway"/> in it: later runs
    /// with <c>--profile</c> call the gateway with that token. Checks the profile is kept owner-only (it holds a token).
    /// </summary>
    public async Task LogInAsync(string profile, string agency, string role, Uri gateway)
    {
        var authority = await TestAuthority.GetAsync();
        var credentials = await authority.CredentialsAsync(agency, [role]);
        var run = await RunAsync("token", "--authority", authority.Issuer.ToString(), "--client", credentials.ClientId, "--secret", credentials.Secret,
            "--gateway", gateway.ToString(), "--profile", profile);
        Assert.True(run.Code == 0, run.ToString());
        Assert.StartsWith("ey", run.Out.Trim());
        var file = new FileInfo(Path.Combine(Home, "profiles", profile + ".json"));
        Assert.True(file.Exists, $"no profile {file.FullName}");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.FullName));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(Home))
        {
            Directory.Delete(Home, recursive: true);
        }
    }
}

/// <summary>registryctl running: its standard error so far, signals to it, and its exit (killed with its children after the timeout).</summary>
public sealed class RunningRegistryCtl : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _arguments;
    private readonly TimeSpan _timeout;
    private readonly System.Text.StringBuilder _error = new();
    private readonly Task<string> _output;
    private readonly Task _errorRead;

    internal RunningRegistryCtl(Process process, string arguments, TimeSpan timeout)
    {
        (_process, _arguments, _timeout) = (process, arguments, timeout);
        _output = process.StandardOutput.ReadToEndAsync();
        _errorRead = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardError.ReadAsync(buffer)) > 0)
            {
                lock (_error)
                {
                    _error.Append(buffer, 0, read);
                }
            }
        });
    }

    /// <summary>What it wrote to standard error so far.</summary>
    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, INT: as <c>kill -s</c> names them) to the process.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -s {signal} {_process.Id} exited {kill.ExitCode}");
    }

    /// <summary>Waits until standard error holds <paramref name="text"/> (at most 30 s).</summary>
    public Task UntilErrorContainsAsync(string text) =>
        Eventually.TrueAsync(() => Task.FromResult(Error.Contains(text, StringComparison.Ordinal)), TimeSpan.FromSeconds(30),
            $"registryctl writing '{text}'", () => Error);

    /// <summary>Waits for the exit, within the runner's timeout.</summary>
    public async Task<RegistryCtlRun> ExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(_timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"registryctl {_arguments} did not exit within {_timeout}: {Error}");
        }

        await _errorRead;
        return new RegistryCtlRun(_process.ExitCode, await _output, Error);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>One run of registryctl: its exit code, standard output and standard error.</summary>
public sealed record RegistryCtlRun(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\n{Out}\n{Err}";
}
