using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Registry.Ctl.Cli;
using Registry.Protos.Intake.V1;

namespace Registry.Ctl.Import;

/// <summary><c>registryctl import &lt;list.csv&gt;</c>: an agency's list of captured persons loaded through the gateway's ImportCaptures.</summary>
internal static partial class ImportCommand
{
    public static readonly string Help = $$"""
        registryctl import <list.csv> --agency <code> [--profile <name>] [--report <file>] [--batch 500] [--parallel 2]
                           [--deadline 30] [--retries 5] [--output table|json]

          Registers every row of an agency's list of captured persons through the gateway's ImportCaptures RPC, in batches
          of --batch rows (1 to 1,000), --parallel batches in flight, each call with a deadline of --deadline seconds (the
          gateway cuts an import's deadline to Services:MaxForwardedBulkCallTimeout, 60 s by default, and intake runs
          Grpc:MaxConcurrentBulkCalls imports at once, 2 by default: more in flight wait for a slot; while calls run out of
          their deadline or are refused RESOURCE_EXHAUSTED, fewer are kept in flight, halved at each, one more added back as
          calls are answered, as TCP adapts its window). A
          batch that fails with UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED or ABORTED (another writer of the same
          person won ten times over) is sent again, --retries times at most, with the same request_ids (so a row stored by an
          attempt that timed out comes back "replayed", never twice).
          A row the registry could not store (a fault of the registry that a retry meets again) is "refused" by the registry
          alone, with its words and trace id; the rest of its batch is registered.

          Calls as an intake officer of the agency, connected as every agency command is: the profile's gateway and token
          (--profile, as `registryctl token` left it), or --gateway, --authority, --client and --secret (or REGISTRY_GATEWAY,
          REGISTRY_AUTHORITY, REGISTRY_CLIENT, REGISTRY_CLIENT_SECRET). A token that falls due during a long import is
          fetched again with the secret. The registry refuses a row captured in another agency's name.

          The list: RFC 4180 CSV in UTF-8, comma-separated (or semicolon-separated, as a spreadsheet saves CSV where the
          decimal separator is a comma: told by a header with semicolons and no comma; or tab-separated, told by tabs and
          neither; empty header cells after the last column are left out), quotes around a field holding the
          separator, a quote or a line break; a file not in UTF-8 is refused (exit 2); a header row naming some of these
          columns, in any order (a column not listed is refused, so a misspelt one cannot drop its facts):
        {{CaptureColumns.Help()}}
          capturing_agency may be left out when --agency gives it (--agency also fills an empty cell); with --agency, a row
          naming another agency there is invalid (the registry would refuse its whole batch), and without it, a row naming
          another agency than the token's. Dates may be written in another script's digits (١٩٩٤, ۱۹۹۴, १९९४, １９９４), and day
          first with points (17.07.1983, as a spreadsheet saves them; read as 1983-07-17), the year first with slashes (2001/12/31),
          or at midnight (1983-07-17T00:00:00); with the year last and slashes or hyphens (03/04/1983) they are refused.
          Without request_id, a row's id is a UUIDv5 of its non-empty values as read (degrees, times, dates, sex and categories
          written one way: 47,444 and 47.4440 alike): running the same list again replays its rows instead of registering
          them twice, and a refused row corrected in the list is sent as new (a created row corrected is a new case too:
          correct a registered case with UpdateIdentity). A row repeated word
          for word is a second case (two men may be described alike; the second gets the first as a duplicate candidate):
          give both the same request_id to mean one person. A request_id another line uses for a different row is invalid.
          Correcting one of two such copies after an import makes the other the first of its kind again: it then replays
          the first copy's case, and its own is left without a line. Before correcting one, copy the report's request_id
          column into the list, so that every row keeps its id. With --parallel above 1, of two such rows in different
          batches the one whose batch commits first is created (it may be the later line); one case and one pair per person
          either way, and --parallel 1 keeps the list's order.

          A row whose text does not read (a date that is not YYYY, YYYY-MM or YYYY-MM-DD, a time without its offset, an
          unknown category, broken quoting, a field running over a line break — a quote left open takes the lines after it —,
          more or fewer fields than the header) is not sent. Every row gets a line in
          the report, --report (default: the list's name with .report.csv; a report already there is kept, renamed with the
          time, e.g. list.report.20261205T201500123Z.csv), in the list's order:
            line, request_id, outcome (created | replayed | refused | invalid | unsent | unanswered), case_id, case_number,
            duplicate_candidates (how many earlier cases may be the same person), best_duplicate_case_number,
            violations ("column: what is wrong; ..." — the registry's refusals, or why the row could not be read)
          "unsent": the import stopped before the row was sent; "unanswered": its call was sent but ended without an answer
          (a deadline, a lost connection, a fault of the registry's, or given up at a second Ctrl+C) — the registry commits a
          long call in parts and may have stored some of its rows. Either way, run the same list again: what was stored is
          replayed, the rest is sent.
          Ctrl+C, SIGTERM or SIGHUP: no further batch is sent, the calls in flight finish (within --deadline) and the report is
          completed; a second Ctrl+C gives the calls in flight up (their rows "unanswered"), a third ends registryctl at once.
          Progress goes to standard error (a bar on a terminal, a line every 5 s otherwise), the summary to standard output
          (--output json: as one JSON object, list, rows, created, replayed, refused, invalid, unsent, unanswered, seconds,
          retriedBatches, report, stopped).

          Exit codes: 0 every row created or replayed; 3 some rows refused or invalid (see the report); 1 the gateway or
          the authorization server could not be used, or Ctrl+C / SIGTERM (rows not sent are "unsent"); 2 a bad command line or a list whose
          header is not one, or a --report that cannot be written (no row sent); 4 the registry refused the caller (no valid token, a role that may not import, or
          --agency another agency's for rows that take their agency from it): the batch it refused is "refused", the rest
          "unsent" (a row whose own capturing_agency differs from --agency is invalid instead, exit 3).
          Example: registryctl import tools/Registry.Ctl/examples/captures.csv --agency UA-SSO --profile intake
                   registryctl import captures.csv --agency UA-SSO --gateway http://127.0.0.1:5100 \
                     --authority http://127.0.0.1:5184/ --client ua-sso-intake --secret "$SECRET" --output json
        """;

    /// <summary>Imports the list at <paramref name="path"/> with the options of <see cref="Help"/> (the import's own by name, the connection's).</summary>
    public static async Task<int> RunAsync(string path, ParseResult parse, Options options, CancellationToken ct)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"{path} is a directory; name the list's file.", seeHelp: false);
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"No list at {path}.", seeHelp: false);
        }

        var settings = new ImportSettings(
            options.Int("--batch") is { } batch ? batch <= 1000 ? batch : throw new UsageException($"--batch must be 1 to 1000 (ImportCaptures takes at most 1,000 rows), not {batch}.") : 500,
            options.Int("--parallel") ?? 2,
            Connection.DeadlineOf(parse),
            options.Get("--retries") is { } retries
                ? int.TryParse(retries, out var count) && count >= 0 ? count : throw new UsageException($"--retries must be 0 or more, not '{retries}'.")
                : 5);
        var agency = options.Get("--agency");
        var reportPath = options.Get("--report") ?? Path.ChangeExtension(path, ".report.csv");
        if (Path.GetFullPath(reportPath) == Path.GetFullPath(path))
        {
            throw new UsageException("--report must not be the list itself.");
        }

        CheckWritable(reportPath);
        var interval = TimeSpan.FromSeconds(options.Int("--progress-interval") ?? 5);
        CaptureList.CheckHeader(path, agency);
        var total = CaptureList.Count(path);

        // The token first: a wrong secret or an unreachable authority ends the command before the list is read (exit 1).
        var opened = await Connection.OpenRenewingAsync(parse, ct);
        using var channel = opened.Channel;
        var token = opened.Token;
        // Without --agency, rows naming another agency than the token's are kept back as --agency would keep them.
        var tokenAgency = agency is null ? Connection.AgencyOf(token) : null;
        var clock = Stopwatch.StartNew();
        Importer importer;
        ImportCounts counts;
        var previousReport = KeepPrevious(reportPath);
        Interruption.WaitsForWorkInFlight();
        using var interrupted = ct.Register(() => Interruption.TellIfListened(string.Create(CultureInfo.InvariantCulture,
            $"registryctl: interrupted: no further batch is sent; the calls in flight finish (within {settings.Deadline.TotalSeconds:0.#} s, --deadline) and the report is completed. Interrupt again to give them up.")));
        using (var report = new ImportReport(reportPath))
        {
            importer = new Importer(new IntakeService.IntakeServiceClient(channel), settings, report);
            counts = report.Counts;
            await ImportProgress.RunAsync(total, counts, interval,
                () => importer.RunAsync(CaptureList.Read(path, agency, tokenAgency), ct, Interruption.Abandoning));
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var sent = counts.Created + counts.Replayed + counts.Refused;
        var summary = new ImportSummary(path, counts.Done, counts.Created, counts.Replayed, counts.Refused, counts.Invalid, counts.Unsent,
            counts.Unanswered, Math.Round(seconds, 1), importer.Retried, reportPath, importer.Failure);
        Output.WriteRecord(parse.GetValue(Connection.OutputFormat), summary, _ => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{path}: {counts.Done} row(s): {counts.Created} created, {counts.Replayed} replayed, {counts.Refused} refused, {counts.Invalid} invalid (not sent)" +
            $"{(counts.Unsent > 0 ? $", {counts.Unsent} unsent" : "")}{(counts.Unanswered > 0 ? $", {counts.Unanswered} unanswered" : "")} in {seconds:F1} s ({(seconds > 0 ? sent / seconds : 0):F0} rows/s sent)" +
            $"{(importer.Retried > 0 ? $", {importer.Retried} batch attempt(s) retried" : "")}; report: {reportPath}")));
        if (previousReport is not null)
        {
            WarnOfCorrectedRows(reportPath);
        }

        if (importer.LeastParallel < settings.Parallel)
        {
            Console.Error.WriteLine($"registryctl: the registry was busy (calls ran out of their deadline or were refused RESOURCE_EXHAUSTED): " +
                $"calls in flight were cut from --parallel {settings.Parallel} to as few as {importer.LeastParallel} and raised again as calls were answered");
        }

        if (importer.NotAllowed)
        {
            Console.Error.WriteLine($"registryctl: the import stopped: {importer.Failure}; nothing more was sent");
            return ExitCodes.NotAllowed;
        }

        if (importer.Failure is { } failure)
        {
            Console.Error.WriteLine($"registryctl: the import stopped: {failure}; run the same list again to send the rest (what was stored is replayed)");
            return ExitCodes.Unusable;
        }

        return counts.Refused + counts.Invalid > 0 ? ExitCodes.Refused : ExitCodes.Done;
    }

    /// <summary>
    /// An earlier run's report is kept beside the new one, named by the time it was moved (list.report.20261205T201500Z.csv),
    /// so that a run that fails or was mistaken does not take the earlier run's cases and request_ids with it.
    /// </summary>
    private static string? KeepPrevious(string reportPath)
    {
        if (!File.Exists(reportPath))
        {
            return null;
        }

        var kept = Path.ChangeExtension(reportPath, string.Create(CultureInfo.InvariantCulture, $".{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}{Path.GetExtension(reportPath)}"));
        File.Move(reportPath, kept);
        Console.Error.WriteLine($"registryctl: the previous report is kept as {kept}");
        return kept;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\.[0-9]{8}T[0-9]{9}Z\.[^.]+$")]
    private static partial System.Text.RegularExpressions.Regex KeptReportName();

    /// <summary>
    /// Warns of rows that were created by an earlier run and, corrected in the list since, created again as second cases
    /// (<see cref="CorrectedRows"/>): the person is then registered twice, and a coordinator merges the two.
    /// </summary>
    private static void WarnOfCorrectedRows(string reportPath)
    {
        IReadOnlyList<(long Line, string Before, string Now)> corrected;
        try
        {
            // Every kept report of this list's, newest first (their names end with the time they were kept).
            var directory = Path.GetDirectoryName(Path.GetFullPath(reportPath))!;
            var kept = Directory.EnumerateFiles(directory, $"{Path.GetFileNameWithoutExtension(reportPath)}.*{Path.GetExtension(reportPath)}")
                .Where(f => KeptReportName().IsMatch(Path.GetFileName(f)))
                .OrderByDescending(f => f, StringComparer.Ordinal);
            corrected = CorrectedRows.Find(kept, reportPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CsvHelper.CsvFormatException or FormatException)
        {
            // A warning only: an unreadable earlier report (cut short, edited) does not fail an import that ran.
            Console.Error.WriteLine($"registryctl: an earlier report could not be compared with this one ({ex.Message})");
            return;
        }

        foreach (var (line, before, now) in corrected.Take(20))
        {
            Console.Error.WriteLine($"registryctl: warning: line {line} was case {before} in an earlier run and is now a new case, {now}, paired with it " +
                "as a likely duplicate: a row corrected after it was created registers the person again");
        }

        if (corrected.Count > 0)
        {
            var listed = corrected.Count > 20 ? " (the first 20 above)" : "";
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"registryctl: warning: {corrected.Count} row(s) corrected after they were created{listed}; correct a registered case with UpdateIdentity, and have a coordinator merge each pair (MergeCases)"));
        }
    }

    /// <summary>
    /// A report that cannot be written (no such directory, no permission) is a bad command line (exit 2), found before the
    /// token is fetched and anything sent; an existing report is left as it is until the import writes it.
    /// </summary>
    private static void CheckWritable(string reportPath)
    {
        var existed = File.Exists(reportPath);
        try
        {
            using (new FileStream(reportPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            if (!existed)
            {
                File.Delete(reportPath);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--report {reportPath} cannot be written: {ex.Message}");
        }
    }
}

/// <summary>An import's summary as <c>--output json</c> prints it (the table's line, field by field).</summary>
/// <param name="Stopped">Why the import stopped before every row was sent (exit 1); null when it did not.</param>
internal sealed record ImportSummary(string List, long Rows, long Created, long Replayed, long Refused, long Invalid, long Unsent,
    long Unanswered, double Seconds, long RetriedBatches, string Report, string? Stopped);
