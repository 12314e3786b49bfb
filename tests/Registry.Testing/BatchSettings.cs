namespace Registry.Testing;

/// <summary>Settings of a service under test whose batch consumers (Messaging:Batch) are predictable.</summary>
public static class BatchSettings
{
    /// <summary>
    /// Batches of exactly <paramref name="size"/> messages when that many are waiting: one batch at a time, delivered
    /// when full, a partial one only after 3 s.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> WhenFull(int size) => new Dictionary<string, string?>
    {
        ["Messaging:Batch:MessageLimit"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Messaging:Batch:TimeLimit"] = "00:00:03",
        ["Messaging:Batch:ConcurrencyLimit"] = "1",
    };
}
