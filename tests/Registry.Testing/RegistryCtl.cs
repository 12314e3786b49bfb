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

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"registryctl {string.Join(' ', arguments)} did not exit within {Timeout}: {await error}");
        }

        return new RegistryCtlRun(process.ExitCode, await output, await error);
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

/// <summary>One run of registryctl: its exit code, standard output and standard error.</summary>
public sealed record RegistryCtlRun(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\n{Out}\n{Err}";
}
