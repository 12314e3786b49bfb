using Xunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;

namespace Registry.Testing;

/// <summary>
/// One service in-process on a database and a virtual host of its own, ready (database migrated,
/// bus connected) before the first test, with a test bus on the same virtual host that publishes
/// events as another service would and records the registry's events as a further consumer would.
/// </summary>
public abstract class ServiceFixture<TMarker, TDb>(string connectionName) : IAsyncLifetime
    where TMarker : class
    where TDb : DbContext
{
    private TestInfrastructure _infrastructure = null!;
    private string _database = null!;
    private string _broker = null!;

    public ServiceFactory<TMarker> Service { get; private set; } = null!;
    public TestInfrastructure Infrastructure => _infrastructure;
    /// <summary>The amqp:// URI of the fixture's own virtual host.</summary>
    public string Broker => _broker;
    public TestBus Bus { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _infrastructure = await TestInfrastructure.GetAsync();
        _database = await _infrastructure.CreateDatabaseAsync(connectionName);
        _broker = await _infrastructure.CreateVirtualHostAsync(connectionName);
        // Bind the test queue before the service publishes anything.
        Bus = await TestBus.StartAsync(_broker, $"test-{connectionName.ToLowerInvariant()}-case-registered");
        await StartingAsync(_broker);
        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{connectionName}"] = _database,
            ["ConnectionStrings:RabbitMq"] = _broker,
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        Service = new ServiceFactory<TMarker>(settings, ConfigureServices);
        await Service.WaitUntilReadyAsync();
    }

    /// <summary>Further configuration of the service under test (e.g. a shorter retry policy).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Before the service starts: bind further test queues on the run's virtual host.</summary>
    protected virtual Task StartingAsync(string broker) => Task.CompletedTask;

    /// <summary>Replaces services of the service under test (e.g. its clock).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>After the service stopped: release what <see cref="StartingAsync"/> took.</summary>
    protected virtual Task StoppedAsync() => Task.CompletedTask;

    /// <summary>Runs a query against the service's own database.</summary>
    public async Task<T> QueryAsync<T>(Func<TDb, Task<T>> query)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TDb>());
    }

    /// <summary>
    /// A context on the service's database with a service provider of its own, so a model and an EF Core query cache of its
    /// own, empty: <see cref="CompiledReads"/> reads through it to tell a compiled read from a LINQ query. The caller disposes it.
    /// </summary>
    public async Task<TDb> IsolatedContextAsync()
    {
        var connection = await QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!));
        var options = new DbContextOptionsBuilder<TDb>().UseNpgsql(connection).EnableServiceProviderCaching(false).Options;
        return (TDb)Activator.CreateInstance(typeof(TDb), options)!;
    }

    /// <summary>
    /// Each step of the cleanup is logged if it fails, never thrown: the tests are over (see <see cref="TestCleanup"/>).
    /// Only what <see cref="InitializeAsync"/> got to is released: when it failed (no PostgreSQL or RabbitMQ found), the
    /// test's own error is the one to read, not a NullReferenceException from each later step.
    /// </summary>
    public async Task DisposeAsync()
    {
        if (Service is { } service)
        {
            await TestCleanup.TryAsync($"stop {typeof(TDb).Name}'s service", async () => await service.DisposeAsync());
        }

        await TestCleanup.TryAsync($"release {typeof(TDb).Name}'s resources", StoppedAsync);
        if (Bus is { } bus)
        {
            await TestCleanup.TryAsync("stop the test bus", async () => await bus.DisposeAsync());
        }

        if (_infrastructure is { } infrastructure)
        {
            if (_database is not null)
            {
                await infrastructure.DropDatabaseAsync(_database);
            }

            if (_broker is not null)
            {
                await infrastructure.DeleteVirtualHostAsync(_broker);
            }
        }
    }
}
