using System.Text.Json;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// registryctl as an agency's operator runs it (issue 16): the built tool as a process against the running registry, each
/// role with its own profile (a token kept between commands, in a directory of the test's own), tables for people and
/// JSON for scripts, refusals as field violations in plain words with their exit codes, and every command's help with an
/// example.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryCtlStoryTests(RegistryFixture registry) : IDisposable
{
    private readonly RegistryCtl _ctl = new();

    public void Dispose() => _ctl.Dispose();

    [Fact]
    public async Task An_operator_registers_finds_reads_and_audits_a_case_with_registryctl_alone()
    {
        await LogInAsync("intake", "UA-SSO", RegistryRoles.IntakeOfficer);
        await LogInAsync("coordinator", "UA-POW-HQ", RegistryRoles.Coordinator);
        await LogInAsync("auditor", "UA-OMBUDSMAN", RegistryRoles.Auditor);
        await LogInAsync("medic", "UA-MED", RegistryRoles.Medic);
        // A partner agency of its own: PartnerSharingTests counts what KR-NIS is shared.
        await LogInAsync("partner", "DE-BND", RegistryRoles.Partner);
        var family = "Ctl" + Guid.NewGuid().ToString("N")[..8];

        // Bad input: the registry's field violations, one a line, in plain words; exit 3; nothing stored.
        var refused = await RunAsync("register", "--family-name", family, "--born", "2001", "--profile", "intake");
        Assert.Equal(3, refused.Code);
        Assert.Contains("registryctl: INVALID_ARGUMENT:", refused.Err);
        Assert.Contains("  capture.place: is required", refused.Err);
        Assert.DoesNotContain("grpc-status-details-bin", refused.Err);
        Assert.DoesNotContain("Exception", refused.Err);

        // A value the command line cannot read: exit 2, before any call.
        var unreadable = await RunAsync("register", "--family-name", family, "--born", "20x1", "--profile", "intake");
        Assert.Equal(2, unreadable.Code);
        Assert.Contains("--born must be YYYY, YYYY-MM or YYYY-MM-DD", unreadable.Err);
        var unknownSource = await RunAsync("register", "--family-name", family, "--source", "Rumour", "--profile", "intake");
        Assert.Equal(2, unknownSource.Code);
        Assert.Contains("--source must be one of StatedByPerson, Document, ThirdParty, not 'Rumour'.", unknownSource.Err);
        var fileAndFlag = await RunAsync("register", "--file", Path.Combine(Path.GetTempPath(), "none.json"), "--family-name", family, "--profile", "intake");
        Assert.Equal(2, fileAndFlag.Code);
        Assert.Contains("--file gives the whole request: put --family-name in the file instead.", fileAndFlag.Err);

        var registered = await RunAsync("register", "--family-name", family, "--given-names", "Chol", "--born", "2001", "--nationality", "KP",
            "--language", "ko", "--captured-at", "2025-01-12T08:00:00Z", "--place", "Kursk region", "--capturing-unit", "80th brigade",
            "--agency", "UA-SSO", "--source", "STATED_BY_PERSON", "--profile", "intake", "--output", "json");
        Assert.True(registered.Code == 0, registered.ToString());
        string caseId;
        using (var json = JsonDocument.Parse(registered.Out))
        {
            caseId = json.RootElement.GetProperty("case").GetProperty("caseId").GetString()!;
        }

        var found = await RunAsync("case", "search", "--name", family, "--profile", "coordinator");
        Assert.True(found.Code == 0, found.ToString());
        Assert.Contains(caseId, found.Out);
        Assert.Contains("1 case(s)", found.Out);

        // A gateway given on one command is for that command: the profile keeps its own, and the error names the address tried.
        var elsewhere = await RunAsync("case", "search", "--name", family, "--profile", "coordinator", "--gateway", "http://127.0.0.1:9");
        Assert.Equal(1, elsewhere.Code);
        Assert.Contains("gateway: http://127.0.0.1:9/", elsewhere.Err);
        Assert.Equal(0, (await RunAsync("case", "search", "--name", family, "--profile", "coordinator")).Code);

        // The case file as panels, once custody and medical have the case; each fact with its source.
        var file = await Eventually.GetAsync(async () =>
        {
            var shown = await RunAsync("case", "show", caseId, "--profile", "coordinator");
            return shown.Code == 0 && shown.Out.Contains("AwaitingAdmission", StringComparison.Ordinal) && shown.Out.Contains("AwaitingExamination", StringComparison.Ordinal)
                ? shown : null;
        }, TimeSpan.FromSeconds(60), "registryctl case show with its custody and medical parts");
        Assert.Contains("Identity", file.Out);
        Assert.Contains("Custody", file.Out);
        Assert.Contains("Medical summary", file.Out);
        Assert.Matches(@"family_name\s+" + family + @"\s+stated by the person", file.Out);

        // The coordinator shares the case with a partner, which then sees it, the medical part marked withheld.
        var share = await RunAsync("case", "share", caseId, "--partner", "DE-BND", "--purpose", "exchange negotiation",
            "--valid-until", DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            "--profile", "coordinator", "--output", "json");
        Assert.True(share.Code == 0, share.ToString());
        using (var json = JsonDocument.Parse(share.Out))
        {
            Assert.Equal(("DE-BND", true), (json.RootElement.GetProperty("share").GetProperty("partnerAgency").GetString(), json.RootElement.GetProperty("share").GetProperty("active").GetBoolean()));
        }

        var shares = await RunAsync("case", "shares", "--case", caseId, "--profile", "coordinator");
        Assert.True(shares.Code == 0, shares.ToString());
        Assert.Contains("DE-BND", shares.Out);
        Assert.Contains("1 share(s)", shares.Out);

        var partnerView = await Eventually.GetAsync(async () =>
        {
            var shown = await RunAsync("case", "show", caseId, "--profile", "partner");
            return shown.Code == 0 ? shown : null;
        }, TimeSpan.FromSeconds(60), "the partner's case file once shared");
        Assert.Contains("withheld", partnerView.Out);
        Assert.Contains(family, partnerView.Out);

        // Not allowed: exit 4 (the access audit is the auditor's; the table refuses a partner).
        var notAllowed = await RunAsync("audit", "--case", caseId, "--profile", "partner");
        Assert.Equal(4, notAllowed.Code);
        Assert.Contains("PERMISSION_DENIED", notAllowed.Err);

        // Forty days on, the month's inspection (GC III Art. 31, medical's) is late beside intake's duties, in one table by due time.
        var fortyDaysOn = DateTimeOffset.UtcNow.AddDays(40).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var overdue = await RunAsync("overdue", "--as-of", fortyDaysOn, "--limit", "5000", "--profile", "coordinator", "--output", "json");
        Assert.True(overdue.Code == 0, overdue.ToString());
        int total;
        using (var json = JsonDocument.Parse(overdue.Out))
        {
            var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
            total = items.Count;
            Assert.Contains(items, i => i.GetProperty("caseId").GetString() == caseId && i.GetProperty("kind").GetString() == "inspection");
            Assert.False(json.RootElement.GetProperty("more").GetBoolean());
            Assert.Empty(json.RootElement.GetProperty("notVisibleToRole").EnumerateArray());
            var due = items.Select(i => i.GetProperty("dueAt").GetDateTimeOffset()).ToList();
            Assert.Equal(due.Order(), due);
        }

        var first = await RunAsync("overdue", "--as-of", fortyDaysOn, "--limit", "1", "--profile", "coordinator", "--output", "json");
        using (var json = JsonDocument.Parse(first.Out))
        {
            Assert.Single(json.RootElement.GetProperty("items").EnumerateArray());
            Assert.Equal(total > 1, json.RootElement.GetProperty("more").GetBoolean());
        }

        // A medic reads the inspections alone, and is told what it cannot see.
        var inspections = await RunAsync("overdue", "--as-of", fortyDaysOn, "--limit", "2000", "--profile", "medic");
        Assert.True(inspections.Code == 0, inspections.ToString());
        Assert.Contains("inspection (Art. 31)", inspections.Out);
        Assert.DoesNotContain("capture card (Art. 70)", inspections.Out);
        Assert.Contains("not shown: capture cards, ICRC notifications and weekly reports (your role may not read them)", inspections.Out);

        // The auditor sees who read the case, as JSON for a script.
        var audit = await Eventually.GetAsync(async () =>
        {
            var run = await RunAsync("audit", "--case", caseId, "--profile", "auditor", "--output", "json");
            return run.Code == 0 && run.Out.Contains("RegisterCapture", StringComparison.Ordinal) && run.Out.Contains("IntakeService/GetCase", StringComparison.Ordinal) ? run : null;
        }, TimeSpan.FromSeconds(60), "the registration and the case file's reads in the audit");
        using (var events = JsonDocument.Parse(audit.Out))
        {
            var methods = events.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("method").GetString()).ToList();
            Assert.Contains("registry.intake.v1.IntakeService/RegisterCapture", methods);
        }

        var missing = await RunAsync("medical", "summary", Guid.NewGuid().ToString(), "--profile", "coordinator");
        Assert.Equal(5, missing.Code);
    }

    [Fact]
    public async Task Every_command_has_help_with_an_example_and_a_bad_command_line_is_exit_2()
    {
        string[][] commands =
        [
            ["token"], ["case", "show"], ["case", "search"], ["register"], ["import"], ["overdue"], ["duplicates", "list"],
            ["duplicates", "merge"], ["duplicates", "not-duplicate"], ["custody", "admit"], ["custody", "transfer"],
            ["custody", "confirm-arrival"], ["custody", "release"], ["medical", "summary"], ["audit"], ["clients", "list"],
            ["clients", "create"], ["clients", "rotate-secret"], ["clients", "disable"], ["keys", "list"], ["keys", "rotate"],
            ["move-errors"], ["outbox", "parked"], ["outbox", "retry"],
            ["case", "share"], ["case", "unshare"], ["case", "shares"], ["case", "shared"],
            ["custody", "interview"], ["custody", "interviews"], ["custody", "icrc-visit"], ["custody", "icrc-visits"], ["custody", "return-risk"],
            ["custody", "return-risks"], ["custody", "return-wish"], ["custody", "return-wishes"], ["custody", "escape"], ["custody", "recapture"],
            ["custody", "repatriate"], ["custody", "third-state"], ["custody", "events"], ["custody", "verify-chain"],
            ["exchange", "draft"], ["exchange", "add"], ["exchange", "remove"], ["exchange", "agree"], ["exchange", "cancel"], ["exchange", "execute"],
            ["exchange", "show"], ["exchange", "list"],
            ["medical", "record"], ["medical", "encounter"], ["medical", "encounters"], ["medical", "certificate", "issue"], ["medical", "certificate", "show"],
            ["medical", "certificate", "list"], ["medical", "certificate", "pdf"], ["medical", "fitness", "assess"], ["medical", "fitness", "list"],
            ["medical", "fitness", "get"], ["medical", "hospital", "admit"], ["medical", "hospital", "discharge"], ["medical", "hospital", "list"],
            ["medical", "death", "record"], ["medical", "death", "show"], ["medical", "enquiry", "open"], ["medical", "enquiry", "close"],
            ["medical", "enquiry", "list"], ["medical", "seriously-ill", "mark"], ["medical", "seriously-ill", "unmark"],
            ["medical", "weekly-report", "record"], ["medical", "weekly-report", "list"], ["medical", "inspections", "record"],
        ];
        // Two at a time: each is a process of its own.
        using var slots = new SemaphoreSlim(2);
        await Task.WhenAll(commands.Select(async command =>
        {
            await slots.WaitAsync();
            try
            {
                var help = await RunAsync([.. command, "--help"]);
                Assert.True(help.Code == 0, $"{string.Join(' ', command)}: {help}");
                Assert.Contains("Example:", help.Out);
                Assert.Contains("registryctl " + string.Join(' ', command), help.Out);
                // Every command prints a table or JSON; every one that calls the gateway connects the same way.
                Assert.True(help.Out.Contains("--output", StringComparison.Ordinal), $"{string.Join(' ', command)} lacks --output:\n{help.Out}");
                if (command[0] is "token" or "case" or "register" or "import" or "overdue" or "duplicates" or "custody" or "exchange" or "medical" or "audit")
                {
                    Assert.True(help.Out.Contains("--profile", StringComparison.Ordinal), $"{string.Join(' ', command)} lacks --profile:\n{help.Out}");
                }
            }
            finally
            {
                slots.Release();
            }
        }));

        var root = await RunAsync("--help");
        Assert.Contains("Exit codes:", root.Out);
        Assert.Equal(2, (await RunAsync("no-such-command")).Code);
        Assert.Equal(2, (await RunAsync("case", "show")).Code);
        Assert.Equal(2, (await RunAsync("case", "search", "--output", "yaml")).Code);
    }

    /// <summary>
    /// A write whose answer never came (here a "gateway" that accepts the connection and never answers, so the call ends at
    /// registryctl's own deadline, whose status has no detail) says what happened in words, not an empty
    /// <c>DEADLINE_EXCEEDED: </c> (a trial's finding), and names the request_id it was sent with: the same command again with
    /// <c>--request-id</c> registers the person once, and once more replays that case instead of registering a second.
    /// </summary>
    [Fact]
    public async Task A_write_without_an_answer_names_its_request_id_and_the_same_command_with_it_registers_once()
    {
        await LogInAsync("intake-lost", "UA-SSO", RegistryRoles.IntakeOfficer);
        var family = "Ctl" + Guid.NewGuid().ToString("N")[..8];
        string[] register = ["register", "--family-name", family, "--given-names", "Chol", "--born", "2001", "--nationality", "KP",
            "--captured-at", "2025-01-12T08:00:00Z", "--place", "Kursk region", "--capturing-unit", "80th brigade", "--agency", "UA-SSO",
            "--source", "STATED_BY_PERSON", "--profile", "intake-lost"];

        RegistryCtlRun lost;
        using (var silent = new SilentListener())
        {
            lost = await RunAsync([.. register, "--gateway", silent.Address, "--deadline", "1"]);
        }

        Assert.Equal(1, lost.Code);
        Assert.Contains("registryctl: DEADLINE_EXCEEDED: no answer within the call's deadline (--deadline)", lost.Err);
        var requestId = System.Text.RegularExpressions.Regex.Match(lost.Err, "run the same command again with --request-id ([0-9a-f-]{36}) ").Groups[1].Value;
        Assert.True(Guid.TryParse(requestId, out _), lost.ToString());

        var first = await RunAsync([.. register, "--request-id", requestId, "--output", "json"]);
        Assert.True(first.Code == 0, first.ToString());
        var again = await RunAsync([.. register, "--request-id", requestId, "--output", "json"]);
        Assert.True(again.Code == 0, again.ToString());
        using var firstJson = JsonDocument.Parse(first.Out);
        using var againJson = JsonDocument.Parse(again.Out);
        Assert.False(firstJson.RootElement.TryGetProperty("replayed", out var r1) && r1.GetBoolean());
        Assert.True(againJson.RootElement.GetProperty("replayed").GetBoolean());
        Assert.Equal(firstJson.RootElement.GetProperty("case").GetProperty("caseId").GetString(), againJson.RootElement.GetProperty("case").GetProperty("caseId").GetString());

        // A gateway that refuses the connection was never sent the write: no re-run is offered, the gateway is named.
        var refusedConnection = await RunAsync([.. register, "--gateway", $"http://127.0.0.1:{FreePort.Next()}"]);
        Assert.Equal(1, refusedConnection.Code);
        Assert.Contains("registryctl: UNAVAILABLE:", refusedConnection.Err);
        Assert.Contains("  gateway: http://127.0.0.1:", refusedConnection.Err);
        Assert.DoesNotContain("--request-id", refusedConnection.Err);

        // A refusal is an answer: no request id is offered for it.
        var refused = await RunAsync("register", "--family-name", family, "--born", "2001", "--profile", "intake-lost");
        Assert.Equal(3, refused.Code);
        Assert.DoesNotContain("--request-id", refused.Err);

        // A write whose --at was left out (now, when the command ran): the re-run must send that same instant, or the registry
        // refuses the request_id as reused with another request (a review's finding); the hint carries it.
        await LogInAsync("medic-lost", "UA-MED", RegistryRoles.Medic);
        var caseId = firstJson.RootElement.GetProperty("case").GetProperty("caseId").GetString()!;
        string[] mark = ["medical", "seriously-ill", "mark", caseId, "--grounds", "septic fragment wounds of the jaw, febrile", "--profile", "medic-lost"];
        RegistryCtlRun lostMark;
        using (var silent = new SilentListener())
        {
            lostMark = await RunAsync([.. mark, "--gateway", silent.Address, "--deadline", "1"]);
        }

        var rerun = System.Text.RegularExpressions.Regex.Match(lostMark.Err, "run the same command again with (--request-id \\S+ --at \\S+) to get");
        Assert.True(rerun.Success, lostMark.ToString());
        string[] again2 = [.. mark, .. rerun.Groups[1].Value.Split(' '), "--output", "json"];
        RegistryCtlRun marked = null!;
        await Eventually.TrueAsync(async () => (marked = await RunAsync(again2)).Code != 5, TimeSpan.FromSeconds(30), "medical to open the case's record", () => marked.ToString());
        Assert.True(marked.Code == 0, marked.ToString());
        var markedAgain = await RunAsync(again2);
        Assert.True(markedAgain.Code == 0, markedAgain.ToString());
        using var markedJson = JsonDocument.Parse(markedAgain.Out);
        Assert.True(markedJson.RootElement.GetProperty("replayed").GetBoolean(), markedAgain.Out);
    }

    private Task LogInAsync(string profile, string agency, string role) => _ctl.LogInAsync(profile, agency, role, registry.Gateway.GrpcAddress);

    private Task<RegistryCtlRun> RunAsync(params string[] arguments) => _ctl.RunAsync(arguments);
}
