namespace Registry.Testing;

/// <summary>Waits for something that happens asynchronously (an event consumed, a span exported).</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, Func<string>? diagnostics = null) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception ex)
            {
                last = ex;
            }

            await Task.Delay(100);
        }

        var details = diagnostics is null ? "" : $" Diagnostics:\n{diagnostics()}";
        throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0} s waiting for {what}.{details}", last);
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, TimeSpan timeout, string what, Func<string>? diagnostics = null) =>
        await GetAsync<object>(async () => await probe() ? new object() : null, timeout, what, diagnostics);
}
