using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Registry.Testing;

/// <summary>
/// Keeps what a service under test logs (after its configured level filters), for tests that check what an operator would
/// see. Added with <c>services.AddSingleton&lt;ILoggerProvider&gt;(capture)</c>.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    /// <summary>One logged line: its category (the logger's name), level and formatted message.</summary>
    public sealed record Entry(string Category, LogLevel Level, string Message);

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new Entry(category, logLevel, formatter(state, exception)));
    }
}
