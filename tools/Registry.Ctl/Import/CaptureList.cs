using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using Google.Protobuf;
using Registry.Ctl.Cli;
using Registry.Protos.Intake.V1;

namespace Registry.Ctl.Import;

/// <summary>One data row of a list: its line in the file, its request_id, and the request to send or why it cannot be sent.</summary>
/// <param name="Line">The 1-based line of the file where the row starts (the header is line 1).</param>
/// <param name="Request">Null when <paramref name="Problems"/> is not empty: the row is not sent.</param>
/// <param name="Problems">"column: what is wrong", in plain words.</param>
internal sealed record ListRow(long Line, string RequestId, RegisterCaptureRequest? Request, IReadOnlyList<string> Problems);

/// <summary>
/// An agency's list of captured persons: RFC 4180 CSV in UTF-8 (a byte order mark is fine), comma-separated — or
/// semicolon-separated, as spreadsheets save "CSV" where the decimal separator is a comma, told by a header line with
/// semicolons and no comma —, a header row naming <see cref="CaptureColumns"/> in any order (case ignored; a column may
/// be left out). Read with CsvHelper, one row at a time, so a list of a million rows is never held whole.
/// </summary>
internal static class CaptureList
{
    /// <summary>
    /// The namespace of the request_ids derived from rows (a UUIDv5 namespace, RFC 9562 §5.5). Fixed forever: a rerun
    /// of the same list must derive the same ids, so that the registry replays instead of registering twice.
    /// </summary>
    private static readonly Guid RowNamespace = new("0b9c7a52-4f2e-5d1a-9a36-6c2f1e8d4b17");

    private static CsvReaderOptions Options(string path, Action<CsvMalformedRecord>? malformed = null) => new()
    {
        Separator = SeparatorOf(path),
        HasHeader = true,
        TrackLineNumbers = true,
        TrimWhitespace = true,
        SkipEmptyLines = true,
        OnMalformedRecord = malformed,
    };

    /// <summary>The number of data rows, for the progress bar (a first pass over the file; CsvHelper scans it with SIMD).</summary>
    public static long Count(string path)
    {
        using var reader = CsvReader.FromFile(path, Options(path));
        long rows = 0;
        while (reader.Read())
        {
            if (!IsBlank(reader))
            {
                rows++;
            }
        }

        return rows;
    }

    /// <summary>
    /// Checks the header: every column must be one of <see cref="CaptureColumns"/> (a misspelt column would silently
    /// drop its facts), none twice, and the capturing agency must come from a column or <paramref name="agency"/>.
    /// </summary>
    /// <exception cref="UsageException">The header is not a list's, or the file is not UTF-8 text.</exception>
    public static void CheckHeader(string path, string? agency)
    {
        CheckUtf8(path);
        using var reader = CsvReader.FromFile(path, Options(path));
        reader.ReadHeader();
        // Columns without a name (the empty cells a spreadsheet leaves after the last column, ",,,") are left out; a row
        // with a value under one is invalid (Read).
        var headers = reader.Headers.Where(h => !string.IsNullOrWhiteSpace(h)).ToArray();
        if (headers.All(h => CaptureColumns.Find(h) is null) && HeaderBelow(path) is { } line)
        {
            // A title above the header ("Список военнопленных"), or an empty row, as a spreadsheet's export of a titled sheet writes it.
            throw new UsageException($"{path}: the header must be the first line, and line {line} looks like it (no line 1 cell names a " +
                "column); delete the lines above it.", seeHelp: false);
        }

        if (headers.Length == 0)
        {
            throw new UsageException($"{path} has no header row: its first line must name the columns (registryctl import --help lists them).", seeHelp: false);
        }

        var unknown = headers.Where(h => CaptureColumns.Find(h) is null).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"{path}: unknown column(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))} in the header; registryctl import --help lists the columns.", seeHelp: false);
        }

        var twice = headers.GroupBy(h => CaptureColumns.Find(h)!.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (twice.Count > 0)
        {
            throw new UsageException($"{path}: column(s) {string.Join(", ", twice)} named twice in the header.", seeHelp: false);
        }

        if (agency is null && !headers.Any(h => CaptureColumns.Find(h)!.Name == CaptureColumns.CapturingAgency))
        {
            throw new UsageException($"{path} has no {CaptureColumns.CapturingAgency} column: add one or pass --agency <code> (your token's agency, e.g. UA-SSO).", seeHelp: false);
        }
    }

    /// <summary>
    /// The data rows in file order. A row's problems (a date that does not parse, broken quoting, a field count other than
    /// the header's) keep it from being sent. <paramref name="agency"/> fills an empty or absent capturing_agency, and a row
    /// naming another agency there is not sent either.
    /// A row without request_id gets one derived from its content (<see cref="DerivedRequestId"/>).
    /// </summary>
    public static IEnumerable<ListRow> Read(string path, string? agency, string? tokenAgency = null)
    {
        var malformed = new Dictionary<long, CsvMalformedReason>();
        using var reader = CsvReader.FromFile(path, Options(path, m => malformed.TryAdd(m.LineNumber, m.Reason)));
        reader.ReadHeader();
        // Null for a column without a name (left out: CheckHeader). A row may end before the unnamed columns after the last
        // named one (a spreadsheet's trailing ",,,"), not before a named one.
        var columns = reader.Headers.Select(CaptureColumns.Find).ToArray();
        var namedColumns = Array.FindLastIndex(columns, c => c is not null) + 1;
        var occurrences = new Dictionary<Guid, int>();
        var given = new Dictionary<Guid, (long Line, Guid Content)>();
        long? lastLine = null;
        while (reader.Read())
        {
            if (IsBlank(reader))
            {
                // A line of separators only (";;;;", as a spreadsheet leaves rows it once had) is skipped as an empty line is.
                continue;
            }

            var line = reader.LineNumber;
            var problems = new List<string>();
            if (malformed.Remove(line, out var reason))
            {
                problems.Add($"row: broken quoting ({Words(reason)}); RFC 4180 quotes a field with \"…\" and doubles a quote inside it");
            }

            if (reader.FieldCount < namedColumns || reader.FieldCount > columns.Length)
            {
                problems.Add(namedColumns == columns.Length
                    ? $"row: {reader.FieldCount} field(s) where the header names {columns.Length}"
                    : $"row: {reader.FieldCount} field(s) where the header names {namedColumns} (and has {columns.Length} cells)");
            }

            var values = new Dictionary<string, string>();
            var runOn = new List<string>();
            var breaks = 0;
            for (var i = 0; i < Math.Min(columns.Length, reader.FieldCount); i++)
            {
                if (reader.GetString(i) is { Length: > 0 } unnamed && columns[i] is null)
                {
                    problems.Add($"column {i + 1}: a value ('{unnamed}') under a column the header does not name; name the column or clear the cell");
                }
                else if (reader.GetString(i) is { Length: > 0 } cell)
                {
                    // Composed (NFC), as the registry stores text: a list saved again in decomposed form (NFD, as some
                    // systems write it) sends the same rows under the same derived ids, and they replay.
                    var value = cell.IsNormalized(NormalizationForm.FormC) ? cell : cell.Normalize(NormalizationForm.FormC);
                    values[columns[i]!.Name] = value;
                    if (FileLineBreaks(value) is > 0 and var n)
                    {
                        runOn.Add(columns[i]!.Name);
                        breaks += n;
                    }
                }
            }

            if (runOn.Count > 0)
            {
                // RFC 4180 lets a quoted field hold line breaks, but no field of the registry's may: a quote left open takes
                // the lines after it into its field, and the row would go with their text in it (or be refused for it) while
                // their own rows had no line in the report.
                // A quote left open to the end of the file holds the file's last line breaks too (and its blank lines): the
                // row then ends on the last line with text. Left open on that line itself, it runs on over nothing (the broken
                // quoting above says so).
                lastLine ??= LastLineWithText(path);
                var to = Math.Min(line + breaks, lastLine.Value);
                if (to > line)
                {
                    problems.Add($"{string.Join(", ", runOn)}: runs on over {to - line} line break(s) to line {to}: a quote left " +
                        "open takes the lines after it into the field (no field of the registry's holds a line break); close the quote");
                }
            }

            var asWritten = new Dictionary<string, string>();
            foreach (var (column, written) in values.ToList())
            {
                // Each value as read, written one way (a spreadsheet's "47,8388" and "17.07.1983", an instant with its offset,
                // "M"), so that the row's derived request_id is the one the same list saved otherwise derives: sent again, it
                // replays. Read (and named in a problem) as written.
                if (CaptureColumns.Canonical(column, written) is var canonical && canonical != written)
                {
                    values[column] = canonical;
                    asWritten[column] = written;
                }
            }

            if (agency is not null && values.TryGetValue(CaptureColumns.CapturingAgency, out var blank) && string.IsNullOrWhiteSpace(blank))
            {
                values[CaptureColumns.CapturingAgency] = agency; // a cell of spaces is an empty one
            }

            if (agency is not null && !values.TryAdd(CaptureColumns.CapturingAgency, agency) && values[CaptureColumns.CapturingAgency] != agency)
            {
                // The registry refuses a whole call for one row in another agency's name (compared exactly, as here): this row
                // alone is kept back, and the rest of its batch goes.
                problems.Add($"{CaptureColumns.CapturingAgency}: '{values[CaptureColumns.CapturingAgency]}' is not --agency {agency}, the agency this list is " +
                    "imported for; the registry takes a row only in the caller's own agency's name (import it with that agency's token)");
            }
            else if (agency is null && tokenAgency is not null && values.TryGetValue(CaptureColumns.CapturingAgency, out var named)
                && !string.IsNullOrWhiteSpace(named) && named != tokenAgency)
            {
                // Without --agency, the token's agency: the same check, so that one mistyped cell (UA-SS0, ua-sso) does not
                // take its whole batch down with it and stop the import.
                problems.Add($"{CaptureColumns.CapturingAgency}: '{named}' is not {tokenAgency}, the agency of the caller's token; the registry takes a " +
                    "row only in the caller's own agency's name, written exactly so (import it with that agency's token)");
            }

            if (values.ContainsKey(CaptureColumns.Latitude) != values.ContainsKey(CaptureColumns.Longitude))
            {
                // The registry refuses a point with one coordinate; told here, the row is invalid before it is sent.
                var (present, missing) = values.ContainsKey(CaptureColumns.Latitude)
                    ? (CaptureColumns.Latitude, CaptureColumns.Longitude) : (CaptureColumns.Longitude, CaptureColumns.Latitude);
                problems.Add($"{missing}: empty while {present} is given; a place is both or neither");
            }

            var request = new RegisterCaptureRequest();
            foreach (var column in CaptureColumns.All)
            {
                if (values.TryGetValue(column.Name, out var value) && SetOrSay(column, request, asWritten.GetValueOrDefault(column.Name, value)) is { } problem)
                {
                    problems.Add($"{column.Name}: {problem}");
                }
            }

            if (request.RequestId.Length > 0 && Guid.TryParse(request.RequestId, out var stated))
            {
                // The registry would refuse the later row (the id is taken by the earlier one); say so by line, before sending.
                // The row's content without its id: the same row under two spellings of one UUID is one row.
                var content = DerivedRequestId(values.Where(v => v.Key != CaptureColumns.RequestId).ToDictionary());
                if (!given.TryAdd(stated, (line, content)) && given[stated].Content != content)
                {
                    problems.Add($"request_id: line {given[stated].Line} uses it for a different row; each registration needs its own request_id");
                }
            }
            else if (request.RequestId.Length == 0)
            {
                var id = DerivedRequestId(values);
                var occurrence = occurrences[id] = occurrences.GetValueOrDefault(id) + 1;
                request.RequestId = (occurrence == 1 ? id : Uuid5(RowNamespace, $"{id}#{occurrence}")).ToString();
            }

            if (problems.Count == 0 && request.CalculateSize() is var size and > Importer.MaxCallBytes)
            {
                // Alone in a call it would still be refused RESOURCE_EXHAUSTED, on every retry, and stop the import.
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"row: {size:N0} bytes, more than a call to the registry carries ({Importer.MaxCallBytes:N0}); a field is far over its length"));
            }

            yield return new ListRow(line, request.RequestId, problems.Count == 0 ? request : null, problems);
        }
    }

    /// <summary>
    /// The request_id of a row that has none: a UUIDv5 (RFC 9562 §5.5) of the row's non-empty values, column by column
    /// in the fixed order of <see cref="CaptureColumns.All"/> (so reordering or adding empty columns changes nothing), each
    /// as <see cref="Read"/> passes it: written one way (<see cref="CaptureColumns.Canonical"/>).
    /// Rerunning a list replays its rows; correcting a refused row gives it a new id and leaves the others' alone. A row
    /// repeated word for word in one list is told apart by its occurrence (the second gets the id of "id#2"): it is registered
    /// as a second case (two men may be described alike), which the registry gives the first as a duplicate candidate.
    /// Values are taken in Unicode NFC (composed), so that re-saving a list in another normalization form changes no id.
    /// </summary>
    public static Guid DerivedRequestId(IReadOnlyDictionary<string, string> values)
    {
        var name = new StringBuilder();
        foreach (var column in CaptureColumns.All)
        {
            if (values.TryGetValue(column.Name, out var value))
            {
                // In NFC, as Read sends the values: the same list saved in decomposed form (NFD) derives the same ids and
                // replays. A list in NFC, nearly all of them, derives what it always did.
                name.Append(column.Name).Append('=').Append(value.IsNormalized(NormalizationForm.FormC) ? value : value.Normalize(NormalizationForm.FormC)).Append('\n');
            }
        }

        return Uuid5(RowNamespace, name.ToString());
    }

    /// <summary>A name-based UUID, version 5 (SHA-1), RFC 9562 §5.5.</summary>
    public static Guid Uuid5(Guid space, string name)
    {
        var bytes = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        space.TryWriteBytes(bytes, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, bytes.AsSpan(16));
#pragma warning disable CA5350 // SHA-1 is what version 5 names: an identifier, not a signature.
        var hash = SHA1.HashData(bytes);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>
    /// A column's value set on the request, or what is wrong with it. A cell that a column's reading did not foresee is that
    /// row's problem, never the whole list's end (a date in Arabic-Indic digits once stopped an import with exit 1).
    /// </summary>
    private static string? SetOrSay(CaptureColumns.Column column, RegisterCaptureRequest request, string value)
    {
        try
        {
            return column.Set(request, value);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            return $"'{value}' could not be read ({ex.Message})";
        }
    }

    /// <summary>
    /// ';' when the header line holds semicolons and no comma (a spreadsheet's "CSV" where the decimal separator is a comma),
    /// a tab when it holds tabs and neither (a spreadsheet's "Text (Tab delimited)"), else ',' (RFC 4180).
    /// </summary>
    private static char SeparatorOf(string path)
    {
        using var lines = File.ReadLines(path).GetEnumerator();
        return SeparatorOfLine(lines.MoveNext() ? lines.Current : "");
    }

    private static long LastLineWithText(string path)
    {
        long number = 0, last = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                last = number;
            }
        }

        return last;
    }

    private static char SeparatorOfLine(string header) =>
        header.Contains(',', StringComparison.Ordinal) ? ','
        : header.Contains(';', StringComparison.Ordinal) ? ';'
        : header.Contains('\t', StringComparison.Ordinal) ? '\t'
        : ',';

    /// <summary>
    /// The line (2 to 10) that looks like the header when line 1 does not: separated as it is, every named cell a column's
    /// name, at least two of them; null when none does.
    /// </summary>
    private static long? HeaderBelow(string path)
    {
        long number = 1;
        foreach (var line in File.ReadLines(path).Skip(1).Take(9))
        {
            number++;
            var cells = line.Split(SeparatorOfLine(line)).Select(c => c.Trim().Trim('"')).Where(c => c.Length > 0).ToList();
            if (cells.Count >= 2 && cells.All(c => CaptureColumns.Find(c) is not null))
            {
                return number;
            }
        }

        return null;
    }

    /// <summary>
    /// Refuses a file that is not UTF-8 text (a list saved as Windows-1251, Latin-1 or UTF-16) before anything is sent, naming
    /// the first line with a byte sequence UTF-8 does not have: read anyway, its letters would be replaced by U+FFFD and every
    /// such row refused by the registry, or worse, stored misspelt.
    /// </summary>
    /// <exception cref="UsageException">The file is not UTF-8.</exception>
    private static void CheckUtf8(string path)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[1 << 16];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length) + 4];
        long line = 1;
        using var file = File.OpenRead(path);
        int read;
        while ((read = file.Read(bytes)) > 0)
        {
            if (bytes.AsSpan(0, read).IndexOf((byte)0) is >= 0 and var nul)
            {
                // Valid UTF-8, but no list's text: UTF-16 without a byte order mark ("r\0e\0q\0...").
                line += bytes.AsSpan(0, nul).Count((byte)'\n');
                throw new UsageException($"{path} is not UTF-8 text (line {line} holds NUL bytes; a list saved as UTF-16?): save it as " +
                    "\"CSV UTF-8\", or convert it, e.g. iconv -f UTF-16 -t UTF-8.", seeHelp: false);
            }

            try
            {
                decoder.GetChars(bytes.AsSpan(0, read), chars, flush: false);
            }
            catch (DecoderFallbackException ex)
            {
                line += bytes.AsSpan(0, Math.Clamp(ex.Index, 0, read)).Count((byte)'\n');
                throw new UsageException($"{path} is not UTF-8 text (line {line} holds bytes UTF-8 does not have; a list saved as " +
                    "Windows-1251, Latin-1 or UTF-16?): save it as \"CSV UTF-8\", or convert it, e.g. iconv -f CP1251 -t UTF-8.", seeHelp: false);
            }

            line += bytes.AsSpan(0, read).Count((byte)'\n');
        }

        try
        {
            decoder.GetChars(ReadOnlySpan<byte>.Empty, chars, flush: true);
        }
        catch (DecoderFallbackException)
        {
            throw new UsageException($"{path} is not UTF-8 text: it ends inside a character; save it as \"CSV UTF-8\".", seeHelp: false);
        }
    }

    /// <summary>Whether the row just read has no field with anything but spaces in it.</summary>
    private static bool IsBlank(CsvReader reader)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (!string.IsNullOrWhiteSpace(reader.GetString(i)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How many line breaks of the file (CR LF, LF or CR, each one) <paramref name="value"/> holds.</summary>
    private static int FileLineBreaks(string value)
    {
        var count = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\r')
            {
                count++;
                if (i + 1 < value.Length && value[i + 1] == '\n')
                {
                    i++;
                }
            }
            else if (value[i] == '\n')
            {
                count++;
            }
        }

        return count;
    }

    private static string Words(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "a quote inside a field that does not start with one",
        CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
        CsvMalformedReason.UnterminatedQuote => "a quote never closed",
        CsvMalformedReason.LineBreakInQuotes => "a line break inside quotes",
        _ => reason.ToString(),
    };
}
