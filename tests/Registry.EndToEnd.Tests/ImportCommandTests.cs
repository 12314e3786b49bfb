using System.Text;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// <c>registryctl import list.csv</c> as an operator runs it: the built tool as a process, with a client-credentials
/// token of an intake officer from the test's authorization server, against the gateway and the services as processes.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ImportCommandTests(RegistryFixture registry) : IDisposable
{
    private const string Header = "family_name,given_names,family_name_latin,date_of_birth,nationality,service_number,captured_at,capture_place,capturing_unit,circumstances";

    private readonly string _directory = Directory.CreateTempSubdirectory("registryctl-import-").FullName;
    private readonly RegistryCtl _ctl = new();

    // A surname no other test registers, so the duplicate candidates the report shows are this list's own.
    private readonly string _family = "Тест" + new string(Guid.NewGuid().ToString("N")[..6].Select(c => (char)('а' + (c % 20))).ToArray());

    private IntakeService.IntakeServiceClient Intake => new(registry.GatewayChannel);

    /// <summary>A run's output with what intake logged since <paramref name="from"/> (a length of its output), for a failure's message.</summary>
    private string WithIntakeLog(RegistryCtlRun run, int from) => $"{run}\n--- intake's log during the run:\n{registry.Intake.Output[from..]}";

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        _ctl.Dispose();
    }

    [Fact]
    public async Task A_list_is_registered_row_by_row_with_a_report_and_a_rerun_replays_it()
    {
        var list = Write("list.csv",
            Header,
            $"{_family},Алексей Сергеевич,Smirnov,1994-03-12,RU,АБ-{Serial()},2025-03-14T06:30:00Z,\"Robotyne, Zaporizhzhia oblast\",65th Brigade,one",
            $"{_family}а,Иван,,1994-13,RU,,2025-03-14T06:30:00Z,Robotyne,65th Brigade,bad date",
            $"{_family}ов,Пётр,,1990,RU,000,2025-03-14T06:30:00Z,Robotyne,65th Brigade,placeholder number",
            $"{_family},Алексей Сергеевич,Smirnov,1994-03-12,RU,,2025-03-15T10:00:00+02:00,Robotyne,65th Brigade,the first man again",
            $"{_family}ин,Олег,,1988-07,RU,,2025-03-16T08:00Z,Robotyne,65th Brigade,two");

        // Three rows a batch: lines 2, 3 (invalid, not counted), 4 and 5 in the first, so the man of line 5 meets line 2 in one
        // batch; line 6 in the second, sent beside it.
        var first = await RunAsync(list, "--batch", "3", "--parallel", "2");

        Assert.True(first.Code == 3, first.ToString());
        var report = ReadReport(list);
        Assert.Equal([2L, 3, 4, 5, 6], report.Select(r => r.Line));
        Assert.Equal(["created", "invalid", "refused", "created", "created"], report.Select(r => r.Outcome));
        Assert.Equal("date_of_birth: '1994-13' has no month 13", report[1].Violations);
        Assert.Equal("", report[1].CaseId);
        Assert.StartsWith("service_number: ", report[2].Violations);
        Assert.Equal("", report[2].CaseId);
        // The same man registered twice in one list: the later row names the earlier case as its likeliest duplicate.
        Assert.Equal((1, report[0].CaseNumber), (report[3].Candidates, report[3].BestCandidate));
        Assert.Contains("5 row(s): 3 created, 0 replayed, 1 refused, 1 invalid (not sent)", first.Out);

        // What the report says is what the registry holds.
        var stored = (await Intake.GetCaseAsync(new GetCaseRequest { CaseId = report[0].CaseId }, deadline: RegistryFixture.CallDeadline)).Case;
        Assert.Equal((report[0].CaseNumber, _family, 1994, 3, 12, "Robotyne, Zaporizhzhia oblast"),
            (stored.CaseNumber, stored.Identity.FamilyName, stored.Identity.DateOfBirth.Year, stored.Identity.DateOfBirth.Month, stored.Identity.DateOfBirth.Day, stored.Capture.Place));
        Assert.Equal("UA-SSO", stored.Capture.CapturingAgency);

        // Run again: the rows without request_id derive the same ids, and the registry replays the same cases.
        var again = await RunAsync(list, "--batch", "2");
        Assert.True(again.Code == 3, again.ToString());
        var replayed = ReadReport(list);
        Assert.Equal(["replayed", "invalid", "refused", "replayed", "replayed"], replayed.Select(r => r.Outcome));
        // The first run's report is kept beside the new one (a failed or mistaken run would otherwise take its case ids away).
        var kept = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(list)!, Path.GetFileNameWithoutExtension(list) + ".report.*Z.csv"));
        Assert.Contains(report[0].CaseId, File.ReadAllText(kept), StringComparison.Ordinal);
        Assert.Contains("previous report is kept", again.Err, StringComparison.Ordinal);
        Assert.Equal(report.Select(r => (r.RequestId, r.CaseId)), replayed.Select(r => (r.RequestId, r.CaseId)));

        // The bad rows corrected in the list: they are sent as new, the others replayed, and every row is done (exit 0).
        File.WriteAllText(list, File.ReadAllText(list).Replace("1994-13", "1994-12").Replace(",000,", $",АБ-{Serial()},"));
        // As JSON for a script: the summary's counts, field by field.
        var corrected = await RunAsync(list, "--batch", "500", "--output", "json");
        Assert.True(corrected.Code == 0, corrected.ToString());
        Assert.Equal(["replayed", "created", "created", "replayed", "replayed"], ReadReport(list).Select(r => r.Outcome));
        using var summary = System.Text.Json.JsonDocument.Parse(corrected.Out);
        Assert.Equal((5L, 2L, 3L, 0L, Path.ChangeExtension(list, ".report.csv")), (summary.RootElement.GetProperty("rows").GetInt64(),
            summary.RootElement.GetProperty("created").GetInt64(), summary.RootElement.GetProperty("replayed").GetInt64(),
            summary.RootElement.GetProperty("refused").GetInt64(), summary.RootElement.GetProperty("report").GetString()));
    }

    [Fact]
    public async Task A_request_id_that_an_earlier_line_uses_for_another_row_is_invalid_and_a_row_repeated_word_for_word_is_a_second_case()
    {
        var id = Guid.NewGuid();
        var list = Write("ids.csv",
            "request_id," + Header,
            $"{id},{_family},Глеб,,1993,RU,,2025-04-03T06:00:00Z,Robotyne,65th Brigade,one",
            $"{{{id.ToString().ToUpperInvariant()}}},{_family},Глеб,,1993,RU,,2025-04-03T06:00:00Z,Robotyne,65th Brigade,one",
            $"{id},{_family}ов,Денис,,1990,RU,,2025-04-03T06:00:00Z,Robotyne,65th Brigade,another man",
            $",{_family}ин,Андрей,,1989,RU,,2025-04-03T07:00:00Z,Robotyne,65th Brigade,unknown",
            $",{_family}ин,Андрей,,1989,RU,,2025-04-03T07:00:00Z,Robotyne,65th Brigade,unknown");

        var run = await RunAsync(list, "--batch", "500");

        Assert.True(run.Code == 3, run.ToString());
        var report = ReadReport(list);
        // The same id (in another spelling of the UUID) for the same row is one person (replayed); for another row the later
        // line is not sent, naming the earlier.
        Assert.Equal(["created", "replayed", "invalid", "created", "created"], report.Select(r => r.Outcome));
        Assert.Equal(report[0].CaseId, report[1].CaseId);
        Assert.Equal("request_id: line 2 uses it for a different row; each registration needs its own request_id", report[2].Violations);
        // Two lines alike without ids: two cases, the second with the first as its likeliest duplicate.
        Assert.NotEqual(report[3].CaseId, report[4].CaseId);
        Assert.Equal(report[3].CaseNumber, report[4].BestCandidate);

        // The same list saved again in decomposed Unicode (NFD: "й" as "и" and a breve) replays: ids derive from composed text.
        File.WriteAllText(list, File.ReadAllText(list).Normalize(NormalizationForm.FormD), new UTF8Encoding(false));
        var again = await RunAsync(list, "--batch", "500");
        Assert.True(again.Code == 3, again.ToString());
        Assert.Equal(["replayed", "replayed", "invalid", "replayed", "replayed"], ReadReport(list).Select(r => r.Outcome));
    }

    [Fact]
    public async Task A_row_the_registry_cannot_store_is_refused_alone_and_the_rest_of_its_batch_is_registered()
    {
        // A fault of the registry that fails the same way on every attempt (a value its database refuses, INTERNAL
        // STORE_REFUSED_VALUE): a test trigger raises PostgreSQL's 22001 for one family name.
        var poisoned = _family + "яд";
        await using var refusal = await StoreFaults.RefuseFamilyNameAsync(registry.IntakeDatabase, poisoned);
        var list = Write("poisoned.csv",
            Header,
            $"{_family},Антон,,1991,RU,,2025-04-05T06:00:00Z,Robotyne,65th Brigade,one",
            $"{_family}ин,Борис,,1992,RU,,2025-04-05T06:00:00Z,Robotyne,65th Brigade,two",
            $"{poisoned},Виктор,,1993,RU,,2025-04-05T06:00:00Z,Robotyne,65th Brigade,three",
            $"{_family}ов,Глеб,,1994,RU,,2025-04-05T06:00:00Z,Robotyne,65th Brigade,four",
            $"{_family}ев,Денис,,1995,RU,,2025-04-05T06:00:00Z,Robotyne,65th Brigade,five");

        var run = await RunAsync(list, "--batch", "500");

        // Exit 3 (a row refused), not 1 (stopped, the whole batch unsent): the batch was sent again in halves.
        Assert.True(run.Code == 3, run.ToString());
        var report = ReadReport(list);
        Assert.Equal(["created", "created", "refused", "created", "created"], report.Select(r => r.Outcome));
        Assert.StartsWith("the registry could not store this row (a fault of the registry", report[2].Violations, StringComparison.Ordinal);
        Assert.Contains("22001", report[2].Violations, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_at_their_limits_in_cyrillic_too_large_for_one_call_are_sent_in_halves()
    {
        // 600 valid rows, circumstances of 4,000 Cyrillic letters and place and unit of 200 (8,800 bytes): a batch of 500 is
        // past the 4 MiB a service receives, which no retry passes.
        var (circumstances, place) = (new string('Ж', 4000), new string('Ж', 200));
        var list = Write("large.csv", [Header, .. Enumerable.Range(0, 600).Select(n => $"{_family}{(char)('а' + n % 32)}{(char)('а' + n / 32)},Антон,,1991,RU,,2025-04-06T06:00:00Z,{place},{place},{circumstances}")]);

        var run = await RunAsync(list, "--batch", "500");

        Assert.True(run.Code == 0, run.ToString());
        Assert.All(ReadReport(list), r => Assert.Equal("created", r.Outcome));
        Assert.Contains("600 row(s): 600 created", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throttled_import_waits_as_the_gateway_asks_and_stops_with_exit_1_when_it_cannot_go_on()
    {
        // A gateway whose bucket holds one call and refills one every 3 s: the second batch is refused RESOURCE_EXHAUSTED
        // with google.rpc.RetryInfo, and sent again with the same request_ids once the delay it names has passed.
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["RateLimits__Default__TokenLimit"] = "1",
            ["RateLimits__Default__TokensPerPeriod"] = "1",
            ["RateLimits__Default__ReplenishmentPeriod"] = "00:00:03",
        });
        var list = Write("throttled.csv",
            Header,
            $"{_family},Антон,,1991,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,one",
            $"{_family}ин,Борис,,1992,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,two",
            $"{_family}ов,Виктор,,1993,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,three");

        var waited = await RunAsync(list, gateway.GrpcAddress, "--batch", "1", "--parallel", "1");
        Assert.True(waited.Code == 0, waited.ToString());
        Assert.Equal(["created", "created", "created"], ReadReport(list).Select(r => r.Outcome));
        Assert.Contains("batch attempt(s) retried", waited.Out);

        // Without retries a throttled batch stops the import (two batches in flight at once: the bucket of one refuses one
        // of them): what was not sent is "unsent", exit 1.
        // Every row of the list is in the report and the summary, those after the stop too.
        list = Write("stopped.csv", [Header, .. Enumerable.Range(0, 12).Select(n => $"{_family}{(char)('а' + n)},Антон,,1991,RU,,2025-04-02T06:00:00Z,Robotyne,65th Brigade,{n}")]);
        var stopped = await RunAsync(list, gateway.GrpcAddress, "--batch", "1", "--parallel", "2", "--retries", "0");
        Assert.True(stopped.Code == 1, stopped.ToString());
        Assert.Contains("ResourceExhausted", stopped.Err);
        var stoppedReport = ReadReport(list);
        Assert.Equal(Enumerable.Range(2, 12).Select(n => (long)n), stoppedReport.Select(r => r.Line));
        Assert.Contains("12 row(s)", stopped.Out, StringComparison.Ordinal);
        Assert.Contains(stoppedReport, r => r.Outcome == "unsent" && r.Violations.StartsWith("not sent: the gateway answered ResourceExhausted", StringComparison.Ordinal));
    }

    /// <summary>
    /// An import stopped by SIGTERM or Ctrl+C while a batch waits in the registry (intake's cases held by a table lock): the
    /// batch in flight is answered and reported as the registry stored it, the rows after it "unsent", exit 1; a second
    /// signal gives the call up and its rows are "unanswered"; either way a rerun stores each person once.
    /// </summary>
    [Fact]
    public async Task An_import_interrupted_with_a_batch_in_flight_reports_that_batch_as_stored_and_a_second_interruption_as_unanswered()
    {
        string[] Rows(string tag) => [Header, .. Enumerable.Range(0, 6).Select(n => $"{_family}{tag}{(char)('а' + n)},Антон,,1991,RU,,2025-04-03T06:00:00Z,Robotyne,65th Brigade,{n}")];
        const string Stopping = "registryctl: interrupted: no further batch is sent";

        // SIGTERM once: the batch in flight (lines 2 and 3) commits when the lock is released and is reported created.
        var list = Write("terminated.csv", Rows("т"));
        RegistryCtlRun terminated;
        await using (var hold = await RawGrpc.LockAsync(registry.IntakeDatabase, "cases", "SHARE"))
        {
            await using var running = await StartAsync(list, "--batch", "2", "--parallel", "1");
            await Eventually.TrueAsync(async () => await hold.WaitingSessionsAsync() >= 1, TimeSpan.FromSeconds(60), "the first batch waiting on the lock", () => running.Error);
            await running.SignalAsync("TERM");
            await running.UntilErrorContainsAsync(Stopping);
            await hold.DisposeAsync();
            terminated = await running.ExitAsync();
        }

        Assert.True(terminated.Code == 1, terminated.ToString());
        var report = ReadReport(list);
        Assert.Equal(Enumerable.Range(2, 6).Select(n => (long)n), report.Select(r => r.Line));
        Assert.Equal(["created", "created", "unsent", "unsent", "unsent", "unsent"], report.Select(r => r.Outcome));
        Assert.Equal("not sent: interrupted", report[2].Violations);
        Assert.Contains("6 row(s): 2 created, 0 replayed, 0 refused, 0 invalid (not sent), 4 unsent", terminated.Out, StringComparison.Ordinal);
        Assert.Contains("the import stopped: interrupted", terminated.Err, StringComparison.Ordinal);

        // Ctrl+C twice: the call in flight is given up while the lock is still held; its rows are "unanswered".
        var twice = Write("interrupted.csv", Rows("и"));
        RegistryCtlRun abandoned;
        await using (var hold = await RawGrpc.LockAsync(registry.IntakeDatabase, "cases", "SHARE"))
        {
            await using var running = await StartAsync(twice, "--batch", "2", "--parallel", "1", "--output", "json");
            await Eventually.TrueAsync(async () => await hold.WaitingSessionsAsync() >= 1, TimeSpan.FromSeconds(60), "the first batch waiting on the lock", () => running.Error);
            await running.SignalAsync("INT");
            await running.UntilErrorContainsAsync(Stopping);
            await running.SignalAsync("INT");
            abandoned = await running.ExitAsync();
        }

        Assert.True(abandoned.Code == 1, abandoned.ToString());
        var given = ReadReport(twice);
        Assert.Equal(["unanswered", "unanswered", "unsent", "unsent", "unsent", "unsent"], given.Select(r => r.Outcome));
        Assert.StartsWith("sent, no answer: interrupted twice", given[0].Violations, StringComparison.Ordinal);
        using (var summary = System.Text.Json.JsonDocument.Parse(abandoned.Out))
        {
            Assert.Equal((2L, 4L), (summary.RootElement.GetProperty("unanswered").GetInt64(), summary.RootElement.GetProperty("unsent").GetInt64()));
        }

        // Each list again: every row created or replayed, one case a person.
        foreach (var (again, family) in new[] { (list, _family + "т"), (twice, _family + "и") })
        {
            var rerun = await RunAsync(again, "--batch", "2");
            Assert.True(rerun.Code == 0, rerun.ToString());
            var rows = ReadReport(again);
            Assert.All(rows, r => Assert.Contains(r.Outcome, new[] { "created", "replayed" }));
            Assert.Equal(6, rows.Select(r => r.CaseId).Distinct().Count());
            await using var connection = new Npgsql.NpgsqlConnection(registry.IntakeDatabase);
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM cases WHERE \"FamilyName\" LIKE @family || '%'", connection);
            count.Parameters.AddWithValue("family", family);
            Assert.Equal(6L, (long)(await count.ExecuteScalarAsync())!);
        }
    }

    /// <summary>
    /// A batch whose first attempt stored its earlier parts and then ran out of its deadline (its last part held behind a
    /// lock) is sent again; the retry finds those parts' rows stored. They were created by this import: the report says
    /// created, with why, not replayed (the registry's registered_at falls after the first attempt was sent). The summary's
    /// created count is then what the run stored.
    /// </summary>
    [Fact]
    public async Task Rows_a_timed_out_attempt_stored_are_reported_created_when_its_retry_finds_them()
    {
        // 300 people in one batch, committed in parts of about 100; only the last row resembles another (the first), so only
        // the last part writes a duplicate candidate, and a lock on that table holds the last part alone. Names and years of
        // birth at random, so that no other rows resemble each other; the circumstances tag the test's rows.
        static string Word(int length) => string.Concat(Enumerable.Range(0, length).Select(_ => (char)('а' + Random.Shared.Next(32))));
        var people = Enumerable.Range(0, 299).Select(_ => (Family: Word(9), Given: Word(7), Born: 1960 + Random.Shared.Next(40))).ToList();
        var rows = people.Select((p, n) => $"{p.Family},{p.Given},,{p.Born},RU,,2025-04-03T06:00:00Z,Robotyne,65th Brigade,{_family} {n}").ToList();
        rows.Add($"{people[0].Family},{people[0].Given},,{people[0].Born},RU,,2025-04-03T06:00:00Z,Robotyne,65th Brigade,{_family} the first again");
        var list = Write("timed-out.csv", [Header, .. rows]);

        RegistryCtlRun run;
        var logged = registry.Intake.Output.Length;
        await using (var hold = await RawGrpc.LockAsync(registry.IntakeDatabase, "duplicate_candidates", "SHARE"))
        {
            await using var running = await StartAsync(list, "--batch", "300", "--parallel", "1", "--deadline", "5");
            await Eventually.TrueAsync(async () => await hold.WaitingSessionsAsync() >= 1, TimeSpan.FromSeconds(60), "the last part waiting on the lock", () => running.Error);
            // Past the first attempt's deadline (5 s from its start); its retry, a second later, waits for the lock in turn.
            await Task.Delay(TimeSpan.FromSeconds(5.5));
            await hold.DisposeAsync();
            run = await running.ExitAsync();
        }

        // Once seen in CI (every attempt of the batch ran out of its deadline, also after the lock was gone): intake's log says why.
        Assert.True(run.Code == 0, WithIntakeLog(run, logged));
        var report = ReadReport(list);
        Assert.Equal(300, report.Count);
        Assert.All(report, r => Assert.Equal("created", r.Outcome));
        var byEarlierAttempt = report.Where(r => r.Violations.StartsWith("created by an earlier attempt", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(byEarlierAttempt);
        Assert.DoesNotContain(report[^1], byEarlierAttempt);
        Assert.Contains("300 row(s): 300 created, 0 replayed", run.Out, StringComparison.Ordinal);
        Assert.Contains(" batch attempt(s) retried", run.Out, StringComparison.Ordinal);
        await using var connection = new Npgsql.NpgsqlConnection(registry.IntakeDatabase);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM cases WHERE \"CaptureCircumstances\" LIKE @tag || ' %'", connection);
        count.Parameters.AddWithValue("tag", _family);
        Assert.Equal(300L, (long)(await count.ExecuteScalarAsync())!);
    }

    /// <summary>
    /// A list as a spreadsheet saves "CSV" where the decimal separator is a comma: separated by semicolons, degrees written
    /// 47,1, dates day first with points (17.07.1991). And a latitude without its longitude, which the registry's GeoPoint
    /// would store as 0, and a date with slashes, whose day and month cannot be told apart.
    /// </summary>
    [Fact]
    public async Task A_semicolon_separated_list_with_decimal_commas_and_day_first_dates_is_read_and_a_latitude_without_its_longitude_is_invalid()
    {
        var list = Write("semicolons.csv",
            "family_name;given_names;date_of_birth;nationality;captured_at;capture_place;capturing_unit;latitude;longitude",
            $"{_family};Антон;17.07.1991;RU;2025-04-04T06:00:00Z;Robotyne, Zaporizhzhia oblast;65th Brigade;47,4463;35,8378",
            $"{_family}ин;Борис;1992;RU;2025-04-04T06:00:00Z;Robotyne;65th Brigade;47.4463;",
            $"{_family}ов;Виктор;1993;RU;2025-04-04T06:00:00Z;Robotyne;65th Brigade;;35.8378",
            $"{_family}ко;Глеб;03/04/1994;RU;2025-04-04T06:00:00Z;Robotyne;65th Brigade;;",
            $"{_family}ук;Дмитро;31.02.1995;RU;2025-04-04T06:00:00Z;Robotyne;65th Brigade;;",
            $"{_family}ич;Євген;2.1996;RU;2025-04-04T06:00:00Z;Robotyne;65th Brigade;;",
            ";;;;;;;;",
            ";;;;");

        var run = await RunAsync(list);
        Assert.True(run.Code == 3, run.ToString());
        var report = ReadReport(list);
        Assert.Equal(["created", "invalid", "invalid", "invalid", "invalid", "created"], report.Select(r => r.Outcome));
        Assert.Equal("longitude: empty while latitude is given; a place is both or neither", report[1].Violations);
        Assert.Equal("latitude: empty while longitude is given; a place is both or neither", report[2].Violations);
        Assert.StartsWith("date_of_birth: '03/04/1994' is not a date that can be read: written so, with the year last, day and month cannot be told apart",
            report[3].Violations, StringComparison.Ordinal);
        Assert.Equal("date_of_birth: '31.02.1995' is not a day of the calendar", report[4].Violations);
        var stored = (await Intake.GetCaseAsync(new GetCaseRequest { CaseId = report[0].CaseId }, deadline: RegistryFixture.CallDeadline)).Case;
        Assert.Equal((_family, "Robotyne, Zaporizhzhia oblast", 47.4463, 35.8378, 1991, 7, 17),
            (stored.Identity.FamilyName, stored.Capture.Place, stored.Capture.Coordinates.Latitude, stored.Capture.Coordinates.Longitude,
                stored.Identity.DateOfBirth.Year, stored.Identity.DateOfBirth.Month, stored.Identity.DateOfBirth.Day));
        var monthOnly = (await Intake.GetCaseAsync(new GetCaseRequest { CaseId = report[5].CaseId }, deadline: RegistryFixture.CallDeadline)).Case;
        Assert.Equal((1996, 2, 0), (monthOnly.Identity.DateOfBirth.Year, monthOnly.Identity.DateOfBirth.Month, monthOnly.Identity.DateOfBirth.Day));
        // The lines of separators only are skipped as empty lines are (6 rows, not 8 with 2 refused).
        Assert.Contains("6 row(s): 2 created", run.Out, StringComparison.Ordinal);

        // The same person in the same list saved with commas, decimal points and ISO dates: the same derived request_id, replayed.
        var commas = Write("commas.csv",
            "family_name,given_names,date_of_birth,nationality,captured_at,capture_place,capturing_unit,latitude,longitude",
            $"{_family},Антон,1991-07-17,RU,2025-04-04T06:00:00Z,\"Robotyne, Zaporizhzhia oblast\",65th Brigade,47.4463,35.8378");
        var again = await RunAsync(commas);
        Assert.True(again.Code == 0, again.ToString());
        var replayed = Assert.Single(ReadReport(commas));
        Assert.Equal(("replayed", report[0].CaseId), (replayed.Outcome, replayed.CaseId));
    }

    /// <summary>
    /// The same list saved again by a program that writes its values otherwise (degrees with a trailing zero or a decimal
    /// comma, the capture's time in UTC instead of with its offset, M for MALE, a category in lower case, languages
    /// separated otherwise) derives the same request_ids and replays: the ids are made of the values as read, not of the
    /// cells' text.
    /// </summary>
    [Fact]
    public async Task A_list_saved_again_with_its_values_written_otherwise_replays()
    {
        const string header = "family_name,given_names,date_of_birth,nationality,captured_at,capture_place,capturing_unit,latitude,longitude,sex,status_category,languages";
        var first = Write("written-one-way.csv", header,
            $"{_family},Антон,1991-07-17,RU,2025-03-01T09:00:00+03:00,Robotyne,65th Brigade,47.4440,35.8300,M,prisoner of war,ru;uk");
        var created = await RunAsync(first);
        Assert.True(created.Code == 0, created.ToString());
        var original = Assert.Single(ReadReport(first));
        Assert.Equal("created", original.Outcome);

        var again = Write("written-otherwise.csv", header.Replace(',', ';'),
            $"{_family};Антон;17.07.1991;RU;2025-03-01T06:00:00Z;Robotyne;65th Brigade;47,444;35,83;MALE;PRISONER_OF_WAR;ru uk");
        var replayed = await RunAsync(again);
        Assert.True(replayed.Code == 0, replayed.ToString());
        var row = Assert.Single(ReadReport(again));
        Assert.Equal(("replayed", original.RequestId, original.CaseId), (row.Outcome, row.RequestId, row.CaseId));

        // The date as East Asian locales save it, and as a date cell saved with its (midnight) time.
        foreach (var (name, born) in new[] { ("year-first.csv", "1991/7/17"), ("midnight.csv", "1991-07-17T00:00:00") })
        {
            var spelt = Write(name, header, $"{_family},Антон,{born},RU,2025-03-01T06:00:00Z,Robotyne,65th Brigade,47.444,35.83,male,PRISONER_OF_WAR,ru;uk");
            var run = await RunAsync(spelt);
            Assert.True(run.Code == 0, run.ToString());
            Assert.Equal(("replayed", original.CaseId), (Assert.Single(ReadReport(spelt)).Outcome, ReadReport(spelt)[0].CaseId));
        }

        // With the year last and hyphens, day and month cannot be told apart: refused, saying why.
        var hyphens = Write("hyphens.csv", header, $"{_family}а,Антон,31-12-1991,RU,2025-03-01T06:00:00Z,Robotyne,65th Brigade,,,,,");
        var refused = await RunAsync(hyphens);
        Assert.True(refused.Code == 3, refused.ToString());
        Assert.StartsWith("date_of_birth: '31-12-1991' is not a date that can be read: written so, with the year last", Assert.Single(ReadReport(hyphens)).Violations, StringComparison.Ordinal);
    }

    /// <summary>
    /// A row created by one run and corrected in the list before the next (a name's letter put right) is a new row, so a new
    /// case; registryctl says so, naming the line and both cases, from the previous run's kept report.
    /// </summary>
    [Fact]
    public async Task A_row_corrected_after_it_was_created_is_told_as_a_second_case_of_the_person()
    {
        var serial = Serial();
        var list = Write("corrected.csv", Header,
            $"{_family},Петр Иванович,,1988-02-11,RU,АБ-{serial},2025-04-05T06:00:00Z,Robotyne,65th Brigade,before");
        var first = await RunAsync(list);
        Assert.True(first.Code == 0, first.ToString());
        var before = Assert.Single(ReadReport(list));

        File.WriteAllLines(list, [Header, $"{_family},Пётр Иванович,,1988-02-11,RU,АБ-{serial},2025-04-05T06:00:00Z,Robotyne,65th Brigade,before"]);
        // A run in between whose rows went unsent (no gateway there) says nothing of the line: the run before it still does.
        var unsent = await RunAsync(list, new Uri("http://127.0.0.1:9"), "--retries", "0");
        Assert.True(unsent.Code == 1, unsent.ToString());
        var second = await RunAsync(list);
        Assert.True(second.Code == 0, second.ToString());
        var after = Assert.Single(ReadReport(list));
        Assert.Equal(("created", before.CaseNumber), (after.Outcome, after.BestCandidate));
        Assert.Contains($"line 2 was case {before.CaseNumber} in an earlier run and is now a new case, {after.CaseNumber}", second.Err, StringComparison.Ordinal);

        // Run again unchanged: replayed, and nothing to warn of.
        var third = await RunAsync(list);
        Assert.True(third.Code == 0, third.ToString());
        Assert.DoesNotContain("warning", third.Err, StringComparison.Ordinal);
    }

    /// <summary>
    /// The report is on disk as each batch is answered, not when the import ends: a killed import leaves the lines of the
    /// batches it was answered. The second batch's row resembles the first's, so it writes a duplicate candidate, and a lock on
    /// that table holds it while the report is read.
    /// </summary>
    [Fact]
    public async Task The_report_holds_each_answered_batch_while_the_import_runs()
    {
        var serial = Serial();
        var list = Write("flushed.csv", Header,
            $"{_family},Олег Петрович,,1985-05-05,RU,ВГ-{serial},2025-04-06T06:00:00Z,Robotyne,65th Brigade,one",
            $"{_family},Олег Петрович,,1985-05-05,RU,,2025-04-07T06:00:00Z,Robotyne,65th Brigade,the same man again");
        var report = Path.ChangeExtension(list, ".report.csv");
        await using (var hold = await RawGrpc.LockAsync(registry.IntakeDatabase, "duplicate_candidates", "SHARE"))
        {
            await using var running = await StartAsync(list, "--batch", "1", "--parallel", "1");
            await Eventually.TrueAsync(async () => await hold.WaitingSessionsAsync() >= 1, TimeSpan.FromSeconds(60), "the second batch waiting on the lock", () => running.Error);
            var written = ReadReport(list);
            Assert.Equal([(2L, "created")], written.Select(r => (r.Line, r.Outcome)));
            await hold.DisposeAsync();
            var run = await running.ExitAsync();
            Assert.True(run.Code == 0, run.ToString());
        }

        Assert.Equal([(2L, "created"), (3L, "created")], ReadReport(list).Select(r => (r.Line, r.Outcome)));
        Assert.True(File.Exists(report));
    }

    /// <summary>
    /// Calls that run out of their deadline (here every insert held behind a lock past it) make registryctl keep fewer in
    /// flight, halved at each such call down to one (<c>CallGate</c>), instead of sending --parallel attempts into the
    /// registry's queue again; it says so, and once the lock is gone every row is registered once. Intake logs the cancelled
    /// calls as such, not as a failing database with a stack trace each.
    /// </summary>
    [Fact]
    public async Task Calls_that_run_out_of_their_deadline_cut_the_calls_in_flight()
    {
        var list = Write("congested.csv", [Header, .. Enumerable.Range(0, 8).Select(n =>
            $"{_family}{(char)('а' + n)},Иван,,{1970 + n},RU,,2025-04-08T06:00:00Z,Robotyne,65th Brigade,congested {n}")]);
        RegistryCtlRun run;
        var logged = registry.Intake.Output.Length;
        await using (var hold = await RawGrpc.LockAsync(registry.IntakeDatabase, "cases", "SHARE"))
        {
            await using var running = await StartAsync(list, "--batch", "1", "--parallel", "4", "--deadline", "2", "--retries", "8");
            await Eventually.TrueAsync(async () => await hold.WaitingSessionsAsync() >= 1, TimeSpan.FromSeconds(60), "a call waiting on the lock", () => running.Error);
            await Task.Delay(TimeSpan.FromSeconds(6)); // past the deadlines of the first calls and of their retries
            await hold.DisposeAsync();
            run = await running.ExitAsync();
        }

        Assert.True(run.Code == 0, WithIntakeLog(run, logged));
        Assert.Contains("calls in flight were cut from --parallel 4 to as few as 1", run.Err, StringComparison.Ordinal);
        Assert.Contains("8 row(s): 8 created, 0 replayed", run.Out, StringComparison.Ordinal);
        // The calls' statements were cancelled with them (PostgreSQL's 57014): their end, not a failing database.
        Assert.DoesNotContain("failed on a dependency", registry.Intake.Output[logged..], StringComparison.Ordinal);
        // Nor the calls given up while they waited for a bulk slot (the framework's "canceled" with a stack trace each).
        Assert.DoesNotContain("at Registry.ServiceDefaults.Grpc.BulkCallSlots", registry.Intake.Output[logged..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_exits_1_and_a_list_that_is_not_one_exits_2_before_anything_is_sent()
    {
        var list = Write("small.csv", Header, $"{_family},Антон,,1991,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,one");
        var refused = await RunAsync(list, registry.Gateway.GrpcAddress, ["--secret", "not-the-secret"]);
        Assert.True(refused.Code == 1, refused.ToString());
        Assert.Contains("invalid_client", refused.Err);

        var misspelt = Write("misspelt.csv", "family_name,captured_at,capturing_agnecy", $"{_family},2025-04-01T06:00:00Z,UA-SSO");
        var badHeader = await RunAsync(misspelt, registry.Gateway.GrpcAddress, [], agency: null);
        Assert.True(badHeader.Code == 2, badHeader.ToString());
        Assert.Contains("unknown column(s) 'capturing_agnecy'", badHeader.Err);

        // Another agency's list: the registry refuses the caller (an intake officer registers only in its own agency's name).
        // Exit 4, the rows "refused" with why, and no advice to send the list again.
        var notOurs = await RunAsync(list, registry.Gateway.GrpcAddress, [], agency: "UA-AF");
        Assert.True(notOurs.Code == 4, notOurs.ToString());
        Assert.DoesNotContain("run the same list again", notOurs.Err);
        var refusedRow = Assert.Single(ReadReport(list));
        Assert.Equal("refused", refusedRow.Outcome);
        Assert.StartsWith("the registry refused the caller (PermissionDenied)", refusedRow.Violations, StringComparison.Ordinal);
        File.Delete(Path.ChangeExtension(list, ".report.csv"));

        var noAgency = await RunAsync(list, registry.Gateway.GrpcAddress, [], agency: null);
        Assert.True(noAgency.Code == 2, noAgency.ToString());
        Assert.Contains("no capturing_agency column", noAgency.Err);
        Assert.False(File.Exists(Path.ChangeExtension(list, ".report.csv")));

        // A list saved as Windows-1251 (Тест in its bytes, line 3): exit 2 before anything is sent, naming the line, not a
        // report of rows the registry refused one by one for U+FFFD in their names.
        var cp1251 = Path.Combine(_directory, "cp1251.csv");
        File.WriteAllBytes(cp1251, [.. Encoding.ASCII.GetBytes(Header + "\r\n" + "Smith,John,,1991,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,ascii\r\n"),
            0xD2, 0xE5, 0xF1, 0xF2, .. Encoding.ASCII.GetBytes(",John,,1991,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,cp1251\r\n")]);
        var notUtf8 = await RunAsync(cp1251);
        Assert.True(notUtf8.Code == 2, notUtf8.ToString());
        Assert.Contains("is not UTF-8 text (line 3 holds bytes UTF-8 does not have", notUtf8.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.ChangeExtension(cp1251, ".report.csv")));
        // UTF-16 without a byte order mark is valid UTF-8 byte by byte (ASCII and NULs): its NULs name it.
        var utf16 = Path.Combine(_directory, "utf16.csv");
        File.WriteAllBytes(utf16, new UnicodeEncoding(bigEndian: false, byteOrderMark: false).GetBytes(Header + "\r\nSmith,John,,1991,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,utf16\r\n"));
        var wide = await RunAsync(utf16);
        Assert.True(wide.Code == 2, wide.ToString());
        Assert.Contains("is not UTF-8 text (line 1 holds NUL bytes; a list saved as UTF-16?)", wide.Err, StringComparison.Ordinal);

        // A gateway address where nothing listens: exit 1, the row unsent, saying that the gateway did not answer and where
        // it was looked for (not that it "answered" UNAVAILABLE).
        var nowhere = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var unreachable = await RunAsync(list, nowhere, "--retries", "0");
        Assert.True(unreachable.Code == 1, unreachable.ToString());
        var unsent = Assert.Single(ReadReport(list));
        Assert.Equal("unsent", unsent.Outcome);
        Assert.StartsWith($"not sent: no answer from the gateway at {nowhere} (1 attempt(s)): ", unsent.Violations, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_agency_a_row_of_another_agency_is_invalid_alone_a_report_that_cannot_be_written_exits_2_and_an_open_quote_is_named()
    {
        var list = Write("agencies.csv", Header + ",capturing_agency",
            $"{_family},Антон,,1991,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,one,UA-SSO",
            $"{_family}ко,Борис,,1992,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,two,UA-AF",
            $"{_family}ук,Вадим,,1993,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,three,");

        // A report in a directory that is not there: a bad command line, said before the token or any row.
        var unwritable = await RunAsync(list, "--report", Path.Combine(_directory, "no-such-directory", "list.report.csv"));
        Assert.True(unwritable.Code == 2, unwritable.ToString());
        Assert.Contains("cannot be written", unwritable.Err);

        // The row in another agency's name is kept back; the registry would have refused its whole batch (exit 4, all unsent).
        var run = await RunAsync(list, "--batch", "500");
        Assert.True(run.Code == 3, run.ToString());
        var report = ReadReport(list);
        Assert.Equal(["created", "invalid", "created"], report.Select(r => r.Outcome));
        Assert.StartsWith("capturing_agency: 'UA-AF' is not --agency UA-SSO", report[1].Violations, StringComparison.Ordinal);

        // A quote left open on line 2 takes line 3 into its field (RFC 4180 lets a quoted field hold line breaks): the row is
        // invalid, naming how far it runs, instead of going with line 3's text as its place while line 3 had no line of its own.
        var open = Write("open-quote.csv", Header,
            $"{_family}ец,Антон,,1991,RU,,2025-04-01T06:00:00Z,\"Robotyne,65th Brigade,one",
            $"{_family}ич,Борис,,1992,RU,,2025-04-01T06:00:00Z,Robotyne\",65th Brigade,two",
            $"{_family}ев,Вадим,,1993,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,three");
        var openRun = await RunAsync(open, "--batch", "500");
        Assert.True(openRun.Code == 3, openRun.ToString());
        var openReport = ReadReport(open);
        Assert.Equal([(2L, "invalid"), (4L, "created")], openReport.Select(r => (r.Line, r.Outcome)));
        Assert.StartsWith("capture_place: runs on over 1 line break(s) to line 3: a quote left open", openReport[0].Violations, StringComparison.Ordinal);

        // A quote left open to the end of the file: the field holds the file's last line break too, and the row ends on the
        // file's last line (4), not on one after it.
        var openToEnd = Write("open-to-end.csv", Header,
            $"{_family}ок,Антон,,1991,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,one",
            $"{_family}ук,Борис,,1992,RU,,2025-04-01T06:00:00Z,\"Robotyne,65th Brigade,two",
            $"{_family}ык,Вадим,,1993,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,three",
            "",
            "");
        var toEndRun = await RunAsync(openToEnd, "--batch", "500");
        Assert.True(toEndRun.Code == 3, toEndRun.ToString());
        var toEndReport = ReadReport(openToEnd);
        Assert.Equal([(2L, "created"), (3L, "invalid")], toEndReport.Select(r => (r.Line, r.Outcome)));
        Assert.Contains("capture_place: runs on over 1 line break(s) to line 4: a quote left open", toEndReport[1].Violations, StringComparison.Ordinal);

        // Left open on the last line itself: broken quoting, and no run over zero line breaks.
        var openOnLast = Write("open-on-last.csv", Header, $"{_family}юк,Борис,,1992,RU,,2025-04-01T06:00:00Z,\"Robotyne,65th Brigade,two");
        var lastRun = await RunAsync(openOnLast, "--batch", "500");
        Assert.True(lastRun.Code == 3, lastRun.ToString());
        var lastRow = Assert.Single(ReadReport(openOnLast));
        Assert.StartsWith("row: broken quoting", lastRow.Violations, StringComparison.Ordinal);
        Assert.DoesNotContain("runs on", lastRow.Violations, StringComparison.Ordinal);
    }

    /// <summary>
    /// What spreadsheets export besides RFC 4180 CSV: a tab-separated file, a header followed by the empty cells of unused
    /// columns (",,,"), and a title line above the header. The first two are read (a value under an unnamed column makes its
    /// row invalid); the third is refused naming the line that looks like the header. A list's fault is not a command line's:
    /// no "(see --help)".
    /// </summary>
    [Fact]
    public async Task Tab_separated_lists_and_unnamed_trailing_columns_are_read_and_a_title_above_the_header_is_named()
    {
        var tabs = Write("tabs.txt", Header.Replace(',', '\t'),
            $"{_family}та\tАнтон\t\t1991\tRU\t\t2025-04-01T06:00:00Z\tRobotyne, Zaporizhzhia oblast\t65th Brigade\ttabs");
        var tabRun = await RunAsync(tabs);
        Assert.True(tabRun.Code == 0, tabRun.ToString());
        var tabRow = Assert.Single(ReadReport(tabs));
        var stored = (await Intake.GetCaseAsync(new GetCaseRequest { CaseId = tabRow.CaseId }, deadline: RegistryFixture.CallDeadline)).Case;
        Assert.Equal(($"{_family}та", "Robotyne, Zaporizhzhia oblast"), (stored.Identity.FamilyName, stored.Capture.Place));

        var trailing = Write("trailing.csv", Header + ",,,",
            $"{_family}тб,Борис,,1992,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,trailing,,,",
            $"{_family}тв,Вадим,,1993,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,trailing,,stray,",
            $"{_family}тд,Дмитро,,1995,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,without the empty cells");
        var trailingRun = await RunAsync(trailing);
        Assert.True(trailingRun.Code == 3, trailingRun.ToString());
        var trailingReport = ReadReport(trailing);
        Assert.Equal(["created", "invalid", "created"], trailingReport.Select(r => r.Outcome));
        Assert.Equal("column 12: a value ('stray') under a column the header does not name; name the column or clear the cell", trailingReport[1].Violations);

        var titled = Write("titled.csv", "Список военнопленных,,,,,,,,,", Header, $"{_family}тг,Глеб,,1994,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,titled");
        var titledRun = await RunAsync(titled);
        Assert.True(titledRun.Code == 2, titledRun.ToString());
        Assert.Contains("the header must be the first line, and line 2 looks like it (no line 1 cell names a column); delete the lines above it.\n",
            titledRun.Err.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("see --help", titledRun.Err, StringComparison.Ordinal);

        // An empty row above the header, likewise; and a list that is not there, or a directory.
        var blankFirst = Write("blank-first.csv", ",,,,,,,,,", Header, $"{_family}те,Глеб,,1994,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,blank first");
        var blankRun = await RunAsync(blankFirst);
        Assert.True(blankRun.Code == 2, blankRun.ToString());
        Assert.Contains("the header must be the first line, and line 2 looks like it", blankRun.Err, StringComparison.Ordinal);
        var missing = await RunAsync(Path.Combine(_directory, "no-such-list.csv"));
        Assert.True(missing.Code == 2 && missing.Err.Contains("No list at", StringComparison.Ordinal) && !missing.Err.Contains("see --help", StringComparison.Ordinal), missing.ToString());
        var directory = await RunAsync(_directory);
        Assert.True(directory.Code == 2 && directory.Err.Contains("is a directory", StringComparison.Ordinal), directory.ToString());
    }

    [Fact]
    public async Task Digits_of_other_scripts_are_read_and_a_mistyped_agency_or_a_row_too_large_for_a_call_is_kept_back_alone()
    {
        // Without --agency: the token's agency (UA-SSO) checks the column, so a mistyped cell does not take its batch down.
        var list = Write("scripts.csv", Header + ",capturing_agency",
            $"{_family}ад,Антон,,١٩٩٤-٠٣-١٢,RU,,٢٠٢٥-٠٤-٠١T06:00:00Z,Robotyne,65th Brigade,Arabic-Indic digits,UA-SSO",
            $"{_family}бе,Борис,,1992,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,a zero for an O,UA-SS0",
            $"{new string('а', 3_000_000)},Вадим,,1993,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,too large,UA-SSO",
            $"{_family}ге,Глеб,,1990,RU,,2025-04-01T06:00:00Z,Robotyne,65th Brigade,plain,UA-SSO",
            $"{_family}де,Денис,,1990,RU,,2025-02-29T06:00:00Z,Robotyne,65th Brigade,no such day,UA-SSO");

        var run = await RunAsync(list, registry.Gateway.GrpcAddress, ["--batch", "500"], agency: null);

        Assert.True(run.Code == 3, run.ToString());
        var report = ReadReport(list);
        Assert.Equal(["created", "invalid", "invalid", "created", "invalid"], report.Select(r => r.Outcome));
        Assert.StartsWith("capturing_agency: 'UA-SS0' is not UA-SSO, the agency of the caller's token", report[1].Violations, StringComparison.Ordinal);
        Assert.StartsWith("row: 6,000,", report[2].Violations, StringComparison.Ordinal);
        Assert.StartsWith("captured_at: '2025-02-29T06:00:00Z' is not a time of the calendar", report[4].Violations, StringComparison.Ordinal);
        var stored = (await Intake.GetCaseAsync(new GetCaseRequest { CaseId = report[0].CaseId }, deadline: RegistryFixture.CallDeadline)).Case;
        Assert.Equal((1994, 3, 12), (stored.Identity.DateOfBirth.Year, stored.Identity.DateOfBirth.Month, stored.Identity.DateOfBirth.Day));
        Assert.Equal(new DateTimeOffset(2025, 4, 1, 6, 0, 0, TimeSpan.Zero), stored.Capture.CapturedAt.ToDateTimeOffset());
    }

    private static string Serial() => Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, string.Join("\r\n", lines) + "\r\n", new UTF8Encoding(false));
        return path;
    }

    private static List<ReportRow> ReadReport(string list)
    {
        using var reader = CsvHelper.CsvReader.FromFile(Path.ChangeExtension(list, ".report.csv"), new CsvHelper.CsvReaderOptions { Separator = ',' });
        var rows = new List<ReportRow>();
        while (reader.Read())
        {
            rows.Add(new ReportRow(
                long.Parse(reader.GetString("line"), System.Globalization.CultureInfo.InvariantCulture), reader.GetString("request_id"),
                reader.GetString("outcome"), reader.GetString("case_id"), reader.GetString("case_number"),
                int.Parse(reader.GetString("duplicate_candidates"), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetString("best_duplicate_case_number"), reader.GetString("violations")));
        }

        return rows;
    }

    private Task<RegistryCtlRun> RunAsync(string list, params string[] options) => RunAsync(list, registry.Gateway.GrpcAddress, options);

    private Task<RegistryCtlRun> RunAsync(string list, Uri gateway, params string[] options) => RunAsync(list, gateway, options, "UA-SSO");

    /// <summary>Starts the built registryctl's import of <paramref name="list"/> as <see cref="RunAsync(string, Uri, string[], string?)"/> runs it, and returns while it runs.</summary>
    private async Task<RunningRegistryCtl> StartAsync(string list, params string[] options)
    {
        var authority = await TestAuthority.GetAsync();
        var credentials = await authority.CredentialsAsync("UA-SSO", [RegistryRoles.IntakeOfficer]);
        return _ctl.Start(new Dictionary<string, string> { ["REGISTRY_CLIENT_SECRET"] = credentials.Secret },
        [
            "import", list, "--gateway", registry.Gateway.GrpcAddress.ToString(), "--authority", authority.Issuer.ToString(),
            "--client", credentials.ClientId, "--agency", "UA-SSO", .. options,
        ]);
    }

    /// <summary>Runs the built registryctl as an intake officer of UA-SSO (its secret from REGISTRY_CLIENT_SECRET, as in a script).</summary>
    private async Task<RegistryCtlRun> RunAsync(string list, Uri gateway, string[] options, string? agency)
    {
        var authority = await TestAuthority.GetAsync();
        var credentials = await authority.CredentialsAsync("UA-SSO", [RegistryRoles.IntakeOfficer]);
        return await _ctl.RunAsync(new Dictionary<string, string> { ["REGISTRY_CLIENT_SECRET"] = credentials.Secret },
        [
            "import", list, "--gateway", gateway.ToString(), "--authority", authority.Issuer.ToString(), "--client", credentials.ClientId,
            .. agency is null ? Array.Empty<string>() : ["--agency", agency], .. options,
        ]);
    }

    private sealed record ReportRow(long Line, string RequestId, string Outcome, string CaseId, string CaseNumber, int Candidates, string BestCandidate, string Violations);
}
