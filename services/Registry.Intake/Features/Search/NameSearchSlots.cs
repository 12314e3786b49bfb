using Grpc.Core;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Intake.Features.Search;

/// <summary>
/// How many name searches one intake process runs at once (section <c>Intake:Search</c>,
/// <see cref="MaxConcurrentNameSearches"/>); the others wait for a slot, within their deadline. A name search on PostgreSQL
/// may read and recheck tens of thousands of cases from the trigram indexes (0.3-4 s at a million cases, with parallel
/// workers), while a look-up by service number, nationality or agency takes a few milliseconds: with 16 clients each
/// running every kind, the look-ups waited for the CPU behind the name searches (p50 400-700 ms at a million cases, against
/// 7-9 ms alone: docs/performance.md). Bounding the name searches (a bulkhead) keeps the database's CPU for the rest;
/// the name searches, bound by the same CPU either way, queue among themselves. Other searches never wait here.
/// </summary>
public sealed class NameSearchSlots
{
    public const string Section = "Intake:Search";

    private readonly SemaphoreSlim _slots;

    public NameSearchSlots(NameSearchLimits limits) => _slots = new SemaphoreSlim(limits.MaxConcurrentNameSearches, limits.MaxConcurrentNameSearches);

    /// <summary>
    /// Runs <paramref name="search"/> in a slot, waiting for one until <paramref name="ct"/> fires: then nothing was read, and
    /// the call ends CANCELLED (the caller's deadline or hang-up; the service's own bound answers DEADLINE_EXCEEDED).
    /// </summary>
    /// <exception cref="GivenUpWhileWaitingException">CANCELLED: given up while waiting.</exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> search, CancellationToken ct)
    {
        try
        {
            await _slots.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new GivenUpWhileWaitingException(
                $"The search was given up while it waited for a name-search slot ({Section}:{nameof(NameSearchLimits.MaxConcurrentNameSearches)}); nothing was read.");
        }

        try
        {
            return await search();
        }
        finally
        {
            _slots.Release();
        }
    }
}

/// <summary>The name-search bound (<see cref="NameSearchSlots"/>), section <c>Intake:Search</c>.</summary>
public sealed class NameSearchLimits
{
    /// <summary>
    /// Name searches run at once by one intake process: 1 to 64, default 2 (the cores of the machine measured; a database
    /// with more cores, or several intake replicas sharing one, call for their own figure).
    /// </summary>
    public int MaxConcurrentNameSearches { get; init; } = 2;

    /// <summary>Reads and checks the section; a value out of range stops the service at start.</summary>
    /// <exception cref="InvalidConfigurationException">MaxConcurrentNameSearches is out of range.</exception>
    public static NameSearchLimits From(IConfiguration configuration)
    {
        var limits = configuration.GetSection(NameSearchSlots.Section).Get<NameSearchLimits>() ?? new NameSearchLimits();
        return limits.MaxConcurrentNameSearches is >= 1 and <= 64
            ? limits
            : throw new InvalidConfigurationException(
                $"{NameSearchSlots.Section}:MaxConcurrentNameSearches must be between 1 and 64, not {limits.MaxConcurrentNameSearches}.");
    }
}
