using Registry.ServiceDefaults.Hosting;
namespace Registry.Intake.Features.Registration;

/// <summary>
/// How <see cref="RegistrationBatcher"/> commits concurrent RegisterCapture calls together (section
/// <c>Intake:Registration</c>). A call never waits for others to arrive: a batch is what queued while the previous one
/// committed, so a lone caller is committed alone, at once, on the single-call path.
/// </summary>
public sealed class RegistrationBatching
{
    public const string Section = "Intake:Registration";

    /// <summary>
    /// The most calls committed together (in one transaction up to 512 duplicate-lock keys, else in such parts): 1 to 1,000 (<see cref="Import.ImportCapturesValidator.MaxRows"/>), default 32;
    /// 1 commits each call in a transaction of its own (the path before batching).
    /// </summary>
    public int BatchLimit { get; init; } = 32;

    /// <summary>How many batches commit at once: 1 to 64, default 1 (2 measured no better on 2 cores: docs/performance.md).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Reads and checks the section; a value out of range stops the service at start.</summary>
    /// <exception cref="InvalidConfigurationException">BatchLimit or Concurrency is out of range.</exception>
    public static RegistrationBatching From(IConfiguration configuration)
    {
        var batching = configuration.GetSection(Section).Get<RegistrationBatching>() ?? new RegistrationBatching();
        var problems = new List<string>();
        if (batching.BatchLimit is < 1 or > Import.ImportCapturesValidator.MaxRows)
        {
            problems.Add($"{Section}:BatchLimit must be between 1 and {Import.ImportCapturesValidator.MaxRows}, not {batching.BatchLimit}");
        }

        if (batching.Concurrency is < 1 or > 64)
        {
            problems.Add($"{Section}:Concurrency must be between 1 and 64, not {batching.Concurrency}");
        }

        return problems.Count == 0 ? batching : throw new InvalidConfigurationException(string.Join("; ", problems) + ".");
    }
}
