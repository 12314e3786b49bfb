using CsvHelper;

namespace Registry.Ctl.Import;

/// <summary>What became of one row, as the report file states it.</summary>
/// <param name="Outcome">
/// created, replayed, refused (by the registry), invalid (not sent: the list's fault), unsent (the import stopped first) or
/// unanswered (sent, but the call failed or was given up without an answer: the registry may have stored the row).
/// </param>
/// <param name="Candidates">How many earlier cases may be the same person.</param>
/// <param name="BestCandidate">The case number of the likeliest of them.</param>
/// <param name="Violations">"column: description; …" in plain words.</param>
internal sealed record ReportLine(
    long Line, string RequestId, string Outcome, string CaseId, string CaseNumber, int Candidates, string BestCandidate, string Violations);

/// <summary>The counts of an import, for the progress line and the summary.</summary>
internal sealed class ImportCounts
{
    private long _created, _replayed, _refused, _invalid, _unsent, _unanswered;

    public long Created => Interlocked.Read(ref _created);
    public long Replayed => Interlocked.Read(ref _replayed);
    public long Refused => Interlocked.Read(ref _refused);
    public long Invalid => Interlocked.Read(ref _invalid);
    public long Unsent => Interlocked.Read(ref _unsent);
    public long Unanswered => Interlocked.Read(ref _unanswered);
    public long Done => Created + Replayed + Refused + Invalid + Unsent + Unanswered;

    public void Add(ReportLine line)
    {
        switch (line.Outcome)
        {
            case ImportOutcomes.Created: Interlocked.Increment(ref _created); break;
            case ImportOutcomes.Replayed: Interlocked.Increment(ref _replayed); break;
            case ImportOutcomes.Refused: Interlocked.Increment(ref _refused); break;
            case ImportOutcomes.Invalid: Interlocked.Increment(ref _invalid); break;
            case ImportOutcomes.Unanswered: Interlocked.Increment(ref _unanswered); break;
            default: Interlocked.Increment(ref _unsent); break;
        }
    }
}

internal static class ImportOutcomes
{
    public const string Created = "created";
    public const string Replayed = "replayed";
    public const string Refused = "refused";
    public const string Invalid = "invalid";
    public const string Unsent = "unsent";
    public const string Unanswered = "unanswered";
}

/// <summary>
/// The per-row report: RFC 4180 CSV, one line per data row of the list in the list's order, whatever order the batches
/// came back in (a batch's lines wait until the batches before it are written). Fields that a spreadsheet would run as a
/// formula (a name or a violation starting with =, +, -, @) are written with a leading apostrophe (OWASP CSV injection).
/// Written through to the file as each batch completes, so an import that is killed leaves the lines it was answered.
/// </summary>
internal sealed class ImportReport : IDisposable
{
    public static readonly string[] Header =
        ["line", "request_id", "outcome", "case_id", "case_number", "duplicate_candidates", "best_duplicate_case_number", "violations"];

    private readonly CsvWriter _writer;
    private readonly SortedDictionary<long, IReadOnlyList<ReportLine>> _waiting = [];
    private readonly Lock _lock = new();
    private long _next;

    public ImportReport(string path)
    {
        _writer = CsvWriter.ToFile(path, new CsvWriterOptions { Injection = CsvInjection.Escape });
        _writer.WriteHeader(Header);
        _writer.Flush();
    }

    public ImportCounts Counts { get; } = new();

    /// <summary>The lines of batch <paramref name="sequence"/> (0, 1, 2 … in the list's order); written once all before it are.</summary>
    public void Complete(long sequence, IReadOnlyList<ReportLine> lines)
    {
        lock (_lock)
        {
            foreach (var line in lines)
            {
                Counts.Add(line);
            }

            _waiting[sequence] = lines;
            while (_waiting.Remove(_next, out var ready))
            {
                foreach (var line in ready.OrderBy(l => l.Line))
                {
                    _writer.WriteRecord(
                    [
                        line.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), line.RequestId, line.Outcome, line.CaseId, line.CaseNumber,
                        line.Candidates.ToString(System.Globalization.CultureInfo.InvariantCulture), line.BestCandidate, line.Violations,
                    ]);
                }

                _next++;
            }

            // On disk as each batch completes: an import killed (kill -9, a lost session) leaves the report of what it was told.
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}

/// <summary>
/// Rows corrected in the list after they were created (a misspelt name put right): the corrected row derives a new
/// request_id, so it is registered as a second case. Told by comparing this run's report with the earlier runs' kept
/// reports: a row this run created whose likeliest duplicate candidate is the case the same line of the list created or
/// replayed before, under another request_id. (A line moved by rows added above it does not match its old case, so it
/// is not reported.)
/// </summary>
internal static class CorrectedRows
{
    /// <summary>
    /// Each such row: its line, the case it was before and the case it is now. <paramref name="earlierReports"/> newest
    /// first: a line's case is the newest that created or replayed it (a run whose rows went unsent, its gateway down,
    /// says nothing of them).
    /// </summary>
    public static IReadOnlyList<(long Line, string Before, string Now)> Find(IEnumerable<string> earlierReports, string report)
    {
        var before = new Dictionary<long, (long Line, string RequestId, string Outcome, string CaseNumber, string BestCandidate)>();
        foreach (var earlier in earlierReports)
        {
            foreach (var row in Read(earlier).Where(r => r.Outcome is ImportOutcomes.Created or ImportOutcomes.Replayed))
            {
                before.TryAdd(row.Line, row);
            }
        }

        return Read(report)
            .Where(r => r.Outcome == ImportOutcomes.Created && before.TryGetValue(r.Line, out var old)
                        && old.RequestId != r.RequestId && old.CaseNumber.Length > 0 && old.CaseNumber == r.BestCandidate)
            .Select(r => (r.Line, before[r.Line].CaseNumber, r.CaseNumber))
            .ToList();
    }

    private static List<(long Line, string RequestId, string Outcome, string CaseNumber, string BestCandidate)> Read(string path)
    {
        var rows = new List<(long, string, string, string, string)>();
        if (new FileInfo(path).Length == 0)
        {
            return rows; // an import killed before its first line was written (by a registryctl that wrote the report at its end)
        }

        using var reader = CsvReader.FromFile(path, new CsvReaderOptions { Separator = ',', HasHeader = true });
        reader.ReadHeader();
        if (ImportReport.Header.Any(h => !reader.TryGetFieldIndex(h, out _)))
        {
            return rows; // not a report of this registryctl's
        }

        while (reader.Read())
        {
            if (long.TryParse(reader.GetString("line"), System.Globalization.CultureInfo.InvariantCulture, out var line))
            {
                rows.Add((line, reader.GetString("request_id"), reader.GetString("outcome"), reader.GetString("case_number"),
                    reader.GetString("best_duplicate_case_number")));
            }
        }

        return rows;
    }
}
