namespace Registry.ServiceDefaults.Data;

/// <summary>
/// PostgreSQL keeps instants to the microsecond; .NET to 100 ns. Rounding down before storing
/// makes a value read back equal to the value first answered (a retried request replays exactly).
/// </summary>
public static class StoredTime
{
    public static DateTimeOffset ToMicroseconds(this DateTimeOffset value) =>
        value.AddTicks(-(value.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
}
