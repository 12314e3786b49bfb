namespace Registry.ServiceDefaults.Hosting;

/// <summary>
/// A setting the service cannot start with: a value out of its range, a malformed address, a required connection string
/// missing. The message names the setting's key (as in appsettings.json, <c>Section:Key</c>; in the environment
/// <c>Section__Key</c>), what it must be and the value given. A service stops on it with that one line and exit code
/// <see cref="InvalidConfiguration.ExitCode"/>, not with the runtime's report of an unhandled exception.
/// </summary>
public sealed class InvalidConfigurationException(string message) : InvalidOperationException(message);

/// <summary>How a service stops on an <see cref="InvalidConfigurationException"/>.</summary>
public static class InvalidConfiguration
{
    /// <summary>The exit code of a service that stopped on an invalid setting: 2, a usage error, as for an unknown command.</summary>
    public const int ExitCode = 2;

    private static int _installed;

    /// <summary>
    /// From now on, an <see cref="InvalidConfigurationException"/> that nothing catches (settings are read while the
    /// service is built, before <see cref="RegistryCommands.RunRegistryAsync"/> runs) ends the process with
    /// <c>"{serviceName}: {message} The service did not start."</c> on standard error and <see cref="ExitCode"/> (so does a
    /// value the configuration binder cannot convert: <see cref="Find"/>). Without
    /// it the runtime printed "Unhandled exception." and a stack trace, and the process ended on SIGABRT (exit code 134).
    /// Other unhandled exceptions are left to the runtime. Installed once per process.
    /// </summary>
    public static void ExitOnUnhandled(string serviceName)
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (Find(e.ExceptionObject as Exception) is { } invalid)
            {
                Report(serviceName, invalid);
                Environment.Exit(ExitCode);
            }
        };
    }

    /// <summary>Writes the one line a service stops with on <paramref name="invalid"/>.</summary>
    public static void Report(string serviceName, InvalidConfigurationException invalid) =>
        Console.Error.WriteLine($"{serviceName}: {invalid.Message.TrimEnd()} The service did not start.");

    /// <summary>
    /// The <see cref="InvalidConfigurationException"/> in <paramref name="ex"/> or among its inner exceptions; null if none.
    /// A value the configuration binder could not convert to its setting's type (<c>Intake__Search__MaxConcurrentNameSearches=abc</c>,
    /// an empty value, <c>2.5</c> for a count) counts as one, with the binder's message, which names the key, the value and
    /// the type: every setting read with <c>Get&lt;T&gt;</c> or <c>GetValue&lt;T&gt;</c> fails so before its own range check.
    /// </summary>
    public static InvalidConfigurationException? Find(Exception? ex) => ex switch
    {
        null => null,
        InvalidConfigurationException invalid => invalid,
        InvalidOperationException unconvertible when unconvertible.TargetSite?.DeclaringType == typeof(Microsoft.Extensions.Configuration.ConfigurationBinder) =>
            new InvalidConfigurationException(unconvertible.Message),
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(found => found is not null),
        _ => Find(ex.InnerException),
    };
}
