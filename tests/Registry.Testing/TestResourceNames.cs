using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Registry.Testing;

/// <summary>
/// The names of the databases (t_…) and virtual hosts (t-…) a test process creates carry its run id,
/// <c>{MMddHHmmss}_{pid}</c> (UTC start, process id). From a name we can tell whether the run that made it
/// is over, and so whether a later run may remove it.
/// </summary>
public static partial class TestResourceNames
{
    /// <summary>A new database name for this run: <c>t_{purpose}_{run id}_{guid prefix}</c>, at most 48 characters.</summary>
    public static string Database(string purpose) => $"t_{purpose}_{TestInfrastructure.RunId}_{Guid.NewGuid():N}"[..48].ToLowerInvariant();

    /// <summary>A new virtual host name for this run: <c>t-{purpose}-{run id}-{guid prefix}</c>, at most 48 characters.</summary>
    public static string VirtualHost(string purpose) => $"t-{purpose}-{TestInfrastructure.RunId}-{Guid.NewGuid():N}"[..48];

    /// <summary>No test process lives this long; older names are leftovers whatever their pid says.</summary>
    public static readonly TimeSpan MaxRunAge = TimeSpan.FromHours(12);

    /// <summary>The run id (start, pid) in a test database or virtual host name; null for any other name.</summary>
    public static (DateTime StartedUtc, int Pid)? RunOf(string name, DateTime nowUtc)
    {
        var match = DatabaseName().Match(name);
        if (!match.Success)
        {
            match = VirtualHostName().Match(name);
        }

        if (!match.Success
            || !DateTime.TryParseExact(match.Groups["stamp"].Value, "MMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var stamp)
            || !int.TryParse(match.Groups["pid"].Value, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        // The stamp has no year: take the latest one that is not in the future (allowing for clock skew).
        var started = new DateTime(nowUtc.Year, stamp.Month, stamp.Day, stamp.Hour, stamp.Minute, stamp.Second, DateTimeKind.Utc);
        if (started > nowUtc.AddDays(1))
        {
            started = started.AddYears(-1);
        }

        return (started, pid);
    }

    /// <summary>
    /// Whether the run that named this resource is over: its process is gone, or the pid now belongs
    /// to a process started after the run began (reused), or the run is older than <see cref="MaxRunAge"/>.
    /// Names that are not test resources, and names of live runs, are never leftovers.
    /// </summary>
    /// <param name="processStartUtc">The start time of the process with a pid, null when there is none.</param>
    /// <param name="pidsAreOurs">
    /// Whether a pid in a name is a pid on this machine (servers on loopback); else only age counts.
    /// </param>
    public static bool IsLeftover(string name, DateTime nowUtc, Func<int, DateTime?> processStartUtc, bool pidsAreOurs)
    {
        if (RunOf(name, nowUtc) is not var (started, pid))
        {
            return false;
        }

        if (nowUtc - started > MaxRunAge)
        {
            return true;
        }

        if (!pidsAreOurs)
        {
            return false;
        }

        // The run id is taken after its process starts; slack for the stamp's rounding and clock reading.
        return processStartUtc(pid) is not { } processStarted || processStarted > started.AddSeconds(30);
    }

    /// <summary>The start time (UTC) of a live process on this machine, null when there is none.</summary>
    public static DateTime? ProcessStartUtc(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime();
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // Exited between the lookup and the question.
            return null;
        }
    }

    // t_{purpose}_{MMddHHmmss}_{pid}_{guid prefix}; the purpose may contain '_', the guid never does.
    [GeneratedRegex("^t_.+_(?<stamp>[0-9]{10})_(?<pid>[0-9]+)_[0-9a-f]+$")]
    private static partial Regex DatabaseName();

    // t-{purpose}-{MMddHHmmss}_{pid}-{guid prefix}
    [GeneratedRegex("^t-.+-(?<stamp>[0-9]{10})_(?<pid>[0-9]+)-[0-9a-f]+$")]
    private static partial Regex VirtualHostName();
}
