using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Registry.Ctl.Import;

/// <summary>
/// The import's progress on standard error (standard output keeps the summary): a Spectre.Console progress bar — rows
/// done of the total, rows per second, refused so far — on a terminal; anywhere else (CI, a pipe, a file) one plain line
/// every <c>interval</c>, since a bar redrawn with control characters would fill a log.
/// </summary>
internal static class ImportProgress
{
    public static async Task RunAsync(long total, ImportCounts counts, TimeSpan interval, Func<Task> import)
    {
        Task? work = null;
        try
        {
            await ShowAsync(total, counts, interval, () => work ??= import());
        }
        catch (IOException) when (work is not null)
        {
            // Standard error is gone (a terminal hung up answers writes with EIO): the import goes on unseen, and its report
            // is completed all the same.
            await work;
        }
    }

    private static async Task ShowAsync(long total, ImportCounts counts, TimeSpan interval, Func<Task> import)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var clock = Stopwatch.StartNew();
        if (!Console.IsErrorRedirected && console.Profile.Capabilities.Interactive)
        {
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Describe(total, counts, clock.Elapsed), maxValue: Math.Max(total, 1));
                    var running = import();
                    while (await Task.WhenAny(running, Task.Delay(250)) != running)
                    {
                        task.Value = counts.Done;
                        task.Description = Markup.Escape(Describe(total, counts, clock.Elapsed));
                    }

                    task.Value = counts.Done;
                    task.Description = Markup.Escape(Describe(total, counts, clock.Elapsed));
                    await running;
                });
            return;
        }

        var work = import();
        while (await Task.WhenAny(work, Task.Delay(interval)) != work)
        {
            Console.Error.WriteLine($"import: {Describe(total, counts, clock.Elapsed)}");
        }

        await work;
    }

    private static string Describe(long total, ImportCounts counts, TimeSpan elapsed)
    {
        var done = counts.Done;
        // Rows sent, as the summary counts them: rows reported unsent or invalid at once would inflate it.
        var sent = counts.Created + counts.Replayed + counts.Refused + counts.Unanswered;
        var rate = elapsed.TotalSeconds > 0 ? sent / elapsed.TotalSeconds : 0;
        // Rows the import stopped before (or sent without an answer) count as done, for each has its line in the report:
        // said here, so that a bar at 100 % after an interruption does not read as every row stored.
        var notStored = counts.Unsent + counts.Unanswered;
        return string.Create(CultureInfo.InvariantCulture,
            $"{done:N0}/{total:N0} rows, {rate:N0} rows/s sent, {counts.Refused:N0} refused, {counts.Invalid:N0} invalid" +
            $"{(notStored > 0 ? $", {counts.Unsent:N0} unsent, {counts.Unanswered:N0} unanswered" : "")}");
    }
}
