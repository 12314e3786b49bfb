using Microsoft.Extensions.Configuration;

namespace Registry.ServiceDefaults.Hosting;

/// <summary>Durations read from configuration and checked at start, so a bad value stops the service naming its key.</summary>
public static class DurationSetting
{
    /// <summary>
    /// <c>{section}:{name}</c> as a positive duration under 24.8 days (timers and <c>CancelAfter</c> count it
    /// in int milliseconds), or <paramref name="fallback"/> when unset.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">Zero, negative or too long, naming the key and the value.</exception>
    public static TimeSpan Positive(IConfigurationSection section, string name, TimeSpan fallback)
    {
        var value = section.GetValue(name, fallback);
        return value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue
            ? value
            : throw new InvalidConfigurationException($"{section.Path}:{name} must be a positive duration under 24 days, not {value}.");
    }
}
