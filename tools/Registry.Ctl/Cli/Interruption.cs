using System.Runtime.InteropServices;

namespace Registry.Ctl.Cli;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM (<c>kill</c>, a CI runner's or a container's stop) and SIGHUP (the terminal or the SSH session
/// closed) as registryctl answers them, in steps so
/// that an interrupted import still leaves a report that says what the registry did:
/// <list type="number">
/// <item>The first signal cancels <see cref="Stopping"/>, the token every command runs with: an import sends no further
/// batch and waits for the calls in flight, each within its deadline (--deadline), then writes every row's line.</item>
/// <item>A second cancels <see cref="Abandoning"/> for a command that waits for its work in flight (an import): it gives up
/// the calls in flight, their rows are reported "unanswered" (the registry may have stored some of them), and the report is
/// still completed. For any other command the second signal ends the process.</item>
/// <item>A third is left to the signal's own action: the process ends at once, and the report may lack lines.</item>
/// </list>
/// System.CommandLine's own handling of these signals is turned off (its ProcessTerminationTimeout): it would end the
/// process two seconds after the first signal, whatever was in flight and however much of the report was written.
/// </summary>
internal static class Interruption
{
    private static readonly CancellationTokenSource StopSource = new();
    private static readonly CancellationTokenSource AbandonSource = new();
    private static int _signals;

    /// <summary>Cancelled at the first SIGINT or SIGTERM: stop starting work.</summary>
    public static CancellationToken Stopping => StopSource.Token;

    /// <summary>Cancelled at the second: give up the work in flight.</summary>
    public static CancellationToken Abandoning => AbandonSource.Token;

    /// <summary>
    /// Called by a command that waits for its work in flight after the first signal (an import): only then is a second signal
    /// an abandonment rather than the end of the process, for a command that stops at once has nothing to abandon.
    /// </summary>
    public static void WaitsForWorkInFlight() => Volatile.Write(ref _waitsForWorkInFlight, true);

    private static bool _waitsForWorkInFlight;

    /// <summary>Handles SIGINT, SIGTERM and SIGHUP until the returned registrations are disposed.</summary>
    public static IDisposable Register() => new Registrations(
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal));

    /// <summary>
    /// Writes <paramref name="line"/> to standard error unless it is gone: after a hang-up the terminal answers every write
    /// with EIO (an IOException), and a command stopping on SIGHUP must still finish its work (an import's report).
    /// </summary>
    public static void TellIfListened(string line)
    {
        try
        {
            Console.Error.WriteLine(line);
        }
        catch (IOException)
        {
            // No one to tell.
        }
    }

    /// <summary>
    /// Makes standard output and error ignore a terminal that hung up (SIGHUP received; its writes then fail with EIO), so
    /// that a command stopping on SIGHUP finishes its work instead of dying on the first line it prints, Spectre.Console's
    /// progress thread's included. Any other failure to write is still thrown.
    /// </summary>
    public static void ToleratesHangUp()
    {
        Console.SetOut(TextWriter.Synchronized(new HangUpTolerant(Console.Out)));
        Console.SetError(TextWriter.Synchronized(new HangUpTolerant(Console.Error)));
    }

    private static bool _hungUp;

    // errno EIO (Linux and macOS), the HResult .NET gives the IOException of a failed write to a terminal.
    private const int Eio = 5;

    private static void OnSignal(PosixSignalContext context)
    {
        if (context.Signal == PosixSignal.SIGHUP)
        {
            Volatile.Write(ref _hungUp, true);
        }

        switch (Interlocked.Increment(ref _signals))
        {
            case 1:
                context.Cancel = true;
                StopSource.Cancel();
                break;
            case 2 when Volatile.Read(ref _waitsForWorkInFlight):
                context.Cancel = true;
                AbandonSource.Cancel();
                break;
            default:
                // The signal's own action: the process ends now.
                break;
        }
    }

    /// <summary>A console writer whose writes after a hang-up are dropped (<see cref="ToleratesHangUp"/>).</summary>
    private sealed class HangUpTolerant(TextWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override IFormatProvider FormatProvider => inner.FormatProvider;

        [System.Diagnostics.CodeAnalysis.AllowNull]
        public override string NewLine
        {
            get => inner.NewLine;
            set => inner.NewLine = value;
        }

        public override void Write(char value) => Try(() => inner.Write(value));

        public override void Write(string? value) => Try(() => inner.Write(value));

        public override void Write(char[] buffer, int index, int count) => Try(() => inner.Write(buffer, index, count));

        public override void Write(ReadOnlySpan<char> buffer)
        {
            var copy = buffer.ToString();
            Try(() => inner.Write(copy));
        }

        public override void WriteLine() => Try(inner.WriteLine);

        public override void WriteLine(string? value) => Try(() => inner.WriteLine(value));

        public override void WriteLine(ReadOnlySpan<char> buffer)
        {
            var copy = buffer.ToString();
            Try(() => inner.WriteLine(copy));
        }

        public override void Flush() => Try(inner.Flush);

        private static void Try(Action write)
        {
            try
            {
                write();
            }
            catch (IOException ex) when (Volatile.Read(ref _hungUp) || ex.HResult == Eio)
            {
                // The terminal is gone: no one reads this. EIO is how a hung-up terminal answers, and it may come before the
                // SIGHUP handler has run (signals are handled on the thread pool): it counts as the hang-up itself.
                Volatile.Write(ref _hungUp, true);
            }
        }
    }

    private sealed class Registrations(params PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
