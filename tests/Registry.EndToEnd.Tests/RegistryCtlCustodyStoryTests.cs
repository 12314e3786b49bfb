using System.Globalization;
using System.Text.Json;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The seed story's rifleman from capture to exchange with registryctl alone (issue 16), each agency with its own profile:
/// the capturing unit registers him; the security service admits him in Kyiv; its medic examines him (the jaw wound),
/// finds him fit for interview and, later, for transfer, and writes him a certificate of treatment as a PDF; he is
/// questioned in Korean through an interpreter with a partner service present (GC III Art. 17), which then sees that
/// interview; the ICRC visits him (Art. 126); he is moved to Lviv and his arrival confirmed (Art. 46-48); the coordination
/// office assesses a low risk on return and the ICRC takes his wish to go home (Art. 118), so the swap list drafted, filled
/// and agreed exchanges him; his timeline ends EXCHANGED and its hash chain verifies. On the way: a refusal shown as the
/// registry's field violations (exit 3), and a malformed --present refused before any call (exit 2).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryCtlCustodyStoryTests(RegistryFixture registry) : IDisposable
{
    // A partner agency of this test's own: PartnerSharingTests counts what KR-NIS is shared.
    private const string PartnerAgency = "PL-ABW";

    private readonly RegistryCtl _ctl = new();

    public void Dispose() => _ctl.Dispose();

    [Fact]
    public async Task The_rifleman_is_admitted_examined_questioned_visited_moved_and_exchanged_with_registryctl_alone()
    {
        await Task.WhenAll(
            LogInAsync("intake", "UA-SSO", RegistryRoles.IntakeOfficer),
            LogInAsync("custodian", "UA-SBU", RegistryRoles.Custodian),
            LogInAsync("medic", "UA-SBU", RegistryRoles.Medic),
            LogInAsync("icrc", "ICRC", RegistryRoles.IcrcDelegate),
            LogInAsync("coordinator", "UA-POW-HQ", RegistryRoles.Coordinator),
            LogInAsync("partner", PartnerAgency, RegistryRoles.Partner),
            LogInAsync("auditor", "UA-OMBUDSMAN", RegistryRoles.Auditor));

        var registered = Json(await RunAsync("register", "--family-name", "리", "--given-names", "정혁", "--family-name-latin", "Ri",
            "--given-names-latin", "Jong Hyok", "--born", "2005", "--nationality", "KP", "--language", "ko", "--captured-at", "2025-01-11T06:30:00Z",
            "--place", "Kursk region", "--capturing-unit", "Special Operations Forces", "--agency", "UA-SSO", "--source", "StatedByPerson",
            "--status", "PrisonerOfWar", "--profile", "intake", "--output", "json"));
        var caseId = registered.GetProperty("case").GetProperty("caseId").GetString()!;

        // Admitted in Kyiv once custody has the case (the same request id until then: one admission).
        var admitId = Guid.NewGuid().ToString();
        var admitted = Json(await Eventually.GetAsync(async () =>
        {
            var run = await RunAsync("custody", "admit", caseId, "--request-id", admitId, "--at", "2025-01-12T16:00:00Z", "--facility", "SBU detention facility",
                "--locality", "Kyiv", "--country", "UA", "--agency", "UA-SBU", "--profile", "custodian", "--output", "json");
            return run.Code == 5 ? null : run;
        }, TimeSpan.FromSeconds(60), "custody's record of the registered case"));
        Assert.Equal(("CUSTODY_STATE_HELD", "Kyiv"), (Text(admitted, "record", "state"), Text(admitted, "record", "facility", "locality")));

        // The medic's intake examination finds the jaw wound (once medical has the case); the wound is named on a
        // certificate of treatment, written as a PDF.
        await Eventually.GetAsync(async () => (await RunAsync("medical", "summary", caseId, "--profile", "medic")) is { Code: 0 } run ? run : null,
            TimeSpan.FromSeconds(60), "medical's record of the registered case");
        var examined = Json(await RunAsync("medical", "encounter", caseId, "--kind", "IntakeExamination", "--at", "2025-01-12T18:00:00Z",
            "--place", "SBU detention facility medical unit, Kyiv", "--clinician", "Olena Koval, military surgeon",
            "--finding", "Injury|Fragment wounds of the face and jaw|face, jaw|grenade detonated near the face at capture|Severe",
            "--profile", "medic", "--output", "json"));
        var wound = Assert.Single(examined.GetProperty("conditions").EnumerateArray());
        Assert.Equal(("CONDITION_KIND_INJURY", "SEVERITY_SEVERE", "face, jaw"), (Text(wound, "kind"), Text(wound, "severity"), Text(wound, "bodySite")));
        Assert.Equal("MEDICAL_STATUS_UNDER_TREATMENT", Text(examined, "summary", "status"));
        Assert.Single(Json(await RunAsync("medical", "encounters", caseId, "--profile", "medic", "--output", "json")).GetProperty("encounters").EnumerateArray());

        var certificate = Json(await RunAsync("medical", "certificate", "issue", caseId, "--at", "2025-01-20T09:00:00Z", "--condition", Text(wound, "conditionId"),
            "--treatment", "Wound debridement, antibiotics", "--from", "2025-01-12T18:00:00Z", "--to", "2025-01-19T09:00:00Z",
            "--place", "SBU detention facility medical unit, Kyiv", "--medic-name", "Olena Koval", "--medic-function", "military surgeon",
            "--language", "ko", "--profile", "medic", "--output", "json")).GetProperty("certificate");
        Assert.Equal(["Fragment wounds of the face and jaw (face, jaw; grenade detonated near the face at capture)"],
            certificate.GetProperty("conditions").EnumerateArray().Select(c => c.GetString()));
        var pdf = Path.Combine(_ctl.Home, "certificate.pdf");
        var written = await RunAsync("medical", "certificate", "pdf", Text(certificate, "certificateId"), "--file", pdf, "--profile", "medic");
        Assert.True(written.Code == 0, written.ToString());
        Assert.Equal("%PDF"u8.ToArray(), File.ReadAllBytes(pdf)[..4]);

        // Fit for interview, then for transfer; the custodian reads the answer without the clinical reasons.
        foreach (var (purpose, at, until) in new[] { ("Interview", "2025-01-27T07:00:00Z", "2025-02-26T07:00:00Z"), ("Transfer", "2025-02-10T07:00:00Z", "2025-03-10T07:00:00Z") })
        {
            var assessed = Json(await RunAsync("medical", "fitness", "assess", caseId, "--purpose", purpose, "--outcome", "Fit", "--at", at, "--valid-until", until,
                "--reasons", "Mandible healing; speech intelligible.", "--assessed-by", "Olena Koval, military surgeon", "--profile", "medic", "--output", "json"));
            Assert.Equal(("FITNESS_OUTCOME_FIT", "UA-SBU"), (Text(assessed, "assessment", "outcome"), Text(assessed, "assessment", "assessedByAgency")));
        }

        var transferFitness = Json(await RunAsync("medical", "fitness", "get", caseId, "--purpose", "Transfer", "--at", "2025-02-12T06:00:00Z",
            "--profile", "custodian", "--output", "json"));
        Assert.Equal(("FITNESS_STANDING_IN_FORCE", ""), (Text(transferFitness, "standing"), Text(transferFitness, "assessment", "clinicalReasons")));

        // A repeated flag that does not read is refused before any call (exit 2): nothing is recorded.
        string[] interview =
        [
            "custody", "interview", caseId, "--at", "2025-01-29T08:00:00Z", "--minutes", "90", "--facility", "SBU detention facility", "--locality", "Kyiv",
            "--country", "UA", "--interviewing-agency", "UA-SBU", "--interviewer", "SBU investigator 12", "--language", "ko",
            "--interpreter", "interpreter KO-3|UA-SBU|Korean interpreter", "--profile", "custodian",
        ];
        var malformed = await RunAsync([.. interview, "--present", "liaison officer|" + PartnerAgency]);
        Assert.True(malformed.Code == 2, malformed.ToString());
        Assert.Contains($"--present must be \"name|agency|function\" (each required), not 'liaison officer|{PartnerAgency}': no function", malformed.Err);
        Assert.DoesNotContain("INVALID_ARGUMENT", malformed.Err);

        // Questioned in Korean through the interpreter, with the partner service present; custody asked medical first.
        var questioned = Json(await RunAsync([.. interview, "--present", $"liaison officer|{PartnerAgency}|observer of the partner service", "--output", "json"]));
        Assert.Contains("FIT", Text(questioned, "interview", "fitness"));
        Assert.Equal(("interpreter KO-3", "Korean interpreter"), (Text(questioned, "interview", "interpreter", "name"), Text(questioned, "interview", "interpreter", "function")));
        var present = Assert.Single(questioned.GetProperty("interview").GetProperty("present").EnumerateArray());
        Assert.Equal((PartnerAgency, "observer of the partner service"), (Text(present, "agency"), Text(present, "function")));

        // The coordinator shares the case with the partner, which then sees the interview it took part in.
        Assert.True(Json(await RunAsync("case", "share", caseId, "--partner", PartnerAgency, "--purpose", "questioning with the partner present",
            "--valid-until", DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            "--profile", "coordinator", "--output", "json")).GetProperty("share").GetProperty("active").GetBoolean());
        var partnersView = await Eventually.GetAsync(async () => (await RunAsync("custody", "interviews", caseId, "--profile", "partner", "--output", "json"))
            is { Code: 0 } run ? run : null, TimeSpan.FromSeconds(60), "the partner's view of the interviews once the case is shared");
        Assert.Single(Json(partnersView).GetProperty("interviews").EnumerateArray());

        // The ICRC visits him in Kyiv and interviews him in private.
        var visit = Json(await RunAsync("custody", "icrc-visit", caseId, "--agency", "ICRC", "--at", "2025-02-05T09:00:00Z", "--facility", "SBU detention facility",
            "--locality", "Kyiv", "--country", "UA", "--delegate", "ICRC delegate A", "--delegate", "ICRC delegate B", "--profile", "icrc", "--output", "json"));
        Assert.Equal(["ICRC delegate A", "ICRC delegate B"], visit.GetProperty("visit").GetProperty("delegates").EnumerateArray().Select(d => d.GetString()));
        var visits = await RunAsync("custody", "icrc-visits", caseId, "--profile", "icrc");
        Assert.True(visits.Code == 0, visits.ToString());
        Assert.Contains("1 visit(s)", visits.Out);

        // Moved to Lviv away from the combat zone (medical found him fit for it), and his arrival confirmed.
        var moving = Json(await RunAsync("custody", "transfer", caseId, "--at", "2025-02-12T06:00:00Z", "--facility", "Camp 2", "--locality", "Lviv",
            "--country", "UA", "--receiving-agency", "UA-SBU", "--reason", "away from the combat zone", "--profile", "custodian", "--output", "json"));
        Assert.Equal("CUSTODY_STATE_IN_TRANSFER", Text(moving, "record", "state"));
        Assert.Contains("fitness for TRANSFER: FIT", Text(moving, "event", "note"));
        // The case file on the way: where he is now, and his last interview (GC III Art. 17) with everyone present.
        var onTheWay = await RunAsync("case", "show", caseId, "--profile", "custodian");
        Assert.True(onTheWay.Code == 0, onTheWay.ToString());
        Assert.Contains("now: in transfer to Camp 2, Lviv, UA (UA-SBU), from SBU detention facility, Kyiv, UA", Flat(onTheWay.Out));
        Assert.Contains("by SBU investigator 12 (UA-SBU) in ko through interpreter interpreter KO-3 (Korean interpreter, UA-SBU); present: liaison "
            + $"officer (observer of the partner service, {PartnerAgency})", Flat(onTheWay.Out));
        var arrived = Json(await RunAsync("custody", "confirm-arrival", caseId, "--at", "2025-02-13T10:00:00Z", "--agency", "UA-SBU", "--profile", "custodian", "--output", "json"));
        Assert.Equal(("CUSTODY_STATE_HELD", "Camp 2", "Lviv"),
            (Text(arrived, "record", "state"), Text(arrived, "record", "facility", "name"), Text(arrived, "record", "facility", "locality")));

        // A refusal: the registry's field violations in plain words, one a line (exit 3), never base64.
        var refused = await RunAsync("custody", "return-risk", caseId, "--level", "Low", "--profile", "coordinator");
        Assert.True(refused.Code == 3, refused.ToString());
        Assert.Contains("registryctl: INVALID_ARGUMENT:", refused.Err);
        Assert.Contains("  grounds: is required", refused.Err);
        Assert.Contains("  assessed_by: is required", refused.Err);
        Assert.DoesNotContain("grpc-status-details-bin", refused.Err);

        // A low risk on return, then his wish to go home: no hold stands.
        var risk = Json(await RunAsync("custody", "return-risk", caseId, "--level", "Low", "--at", "2025-02-14T09:00:00Z",
            "--grounds", "No indication of punishment on return for this rifleman.", "--assessed-by", "legal adviser, POW coordination HQ",
            "--profile", "coordinator", "--output", "json"));
        Assert.Equal("RETURN_RISK_LOW", Text(risk, "record", "returnRisk"));
        Assert.Contains("wish", Text(risk, "record", "nonRefoulementHold"));
        var wish = Json(await RunAsync("custody", "return-wish", caseId, "--wish", "WishesToReturn", "--at", "2025-02-15T09:00:00Z",
            "--taken-by", "ICRC delegate A", "--note", "private interview in Lviv, in Korean", "--profile", "icrc", "--output", "json"));
        Assert.Equal(("RETURN_WISH_WISHES_TO_RETURN", ""), (Text(wish, "record", "returnWish"), Text(wish, "record", "nonRefoulementHold")));
        Assert.Single(Json(await RunAsync("custody", "return-risks", caseId, "--profile", "coordinator", "--output", "json")).GetProperty("assessments").EnumerateArray());
        Assert.Single(Json(await RunAsync("custody", "return-wishes", caseId, "--profile", "icrc", "--output", "json")).GetProperty("wishes").EnumerateArray());

        // Fit for repatriation now (an exchange follows its rules, GC III Art. 119), then the swap: drafted, filled, agreed, executed.
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(0, (await RunAsync("medical", "fitness", "assess", caseId, "--purpose", "Repatriation", "--outcome", "Fit",
            "--at", Instant(now.AddHours(-1)), "--valid-until", Instant(now.AddDays(30)), "--assessed-by", "Olena Koval, military surgeon", "--profile", "medic")).Code);
        var drafted = Json(await RunAsync("exchange", "draft", "--state", "KP", "--authority", "via the ICRC", "--note", "exchange for Ukrainian prisoners of war",
            "--profile", "coordinator", "--output", "json"));
        var listId = Text(drafted, "exchangeList", "exchangeListId");
        Assert.Equal("EXCHANGE_LIST_STATE_DRAFT", Text(drafted, "exchangeList", "state"));
        var filled = Json(await RunAsync("exchange", "add", listId, caseId, "--profile", "coordinator", "--output", "json"));
        var entry = Assert.Single(filled.GetProperty("entries").EnumerateArray());
        Assert.Equal((caseId, false), (Text(entry, "caseId"), entry.GetProperty("onHold").GetBoolean()));
        Assert.Equal("EXCHANGE_LIST_STATE_AGREED", Text(Json(await RunAsync("exchange", "agree", listId, "--profile", "coordinator", "--output", "json")), "exchangeList", "state"));
        var executed = Json(await RunAsync("exchange", "execute", listId, "--profile", "coordinator", "--output", "json"));
        Assert.Equal((1, 0), (executed.GetProperty("exchangedCount").GetInt32(), executed.GetProperty("heldBackCount").GetInt32()));
        Assert.Equal("EXCHANGE_OUTCOME_EXCHANGED", Text(Assert.Single(executed.GetProperty("entries").EnumerateArray()), "outcome"));
        var shown = await RunAsync("exchange", "show", listId, "--profile", "custodian");
        Assert.True(shown.Code == 0, shown.ToString());
        Assert.Contains("Executed", shown.Out);
        Assert.Contains(listId, Json(await RunAsync("exchange", "list", "--state", "Executed", "--page-size", "500", "--profile", "coordinator", "--output", "json")).ToString());

        // His timeline ends EXCHANGED, and its hash chain verifies intact.
        var events = Json(await RunAsync("custody", "events", caseId, "--profile", "coordinator", "--output", "json")).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["CUSTODY_EVENT_KIND_CAPTURED", "CUSTODY_EVENT_KIND_ADMITTED", "CUSTODY_EVENT_KIND_TRANSFER_STARTED", "CUSTODY_EVENT_KIND_TRANSFER_ARRIVED",
            "CUSTODY_EVENT_KIND_RETURN_RISK_ASSESSED", "CUSTODY_EVENT_KIND_RETURN_WISH_RECORDED", "CUSTODY_EVENT_KIND_EXCHANGED"], events.Select(e => Text(e, "kind")));
        var chain = await RunAsync("custody", "verify-chain", caseId, "--profile", "auditor");
        Assert.True(chain.Code == 0, chain.ToString());
        Assert.Matches(@"intact\s+yes", chain.Out);

        // Not the ICRC's to exchange: the access table refuses it (exit 4).
        Assert.Equal(4, (await RunAsync("exchange", "draft", "--state", "KP", "--authority", "via the ICRC", "--profile", "icrc")).Code);
    }

    private Task LogInAsync(string profile, string agency, string role) => _ctl.LogInAsync(profile, agency, role, registry.Gateway.GrpcAddress);

    private Task<RegistryCtlRun> RunAsync(params string[] arguments) => _ctl.RunAsync(arguments);

    /// <summary>A panel's text as one line: its borders gone and its wrapped lines joined (Spectre wraps at 200 columns when redirected).</summary>
    private static string Flat(string output) =>
        System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(output, "[\u2500-\u257F]", " "), "\\s+", " ");

    private static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>The run's JSON answer, once it exited 0.</summary>
    private static JsonElement Json(RegistryCtlRun run)
    {
        Assert.True(run.Code == 0, run.ToString());
        using var document = JsonDocument.Parse(run.Out);
        return document.RootElement.Clone();
    }

    private static string Text(JsonElement element, params string[] path) =>
        path.Aggregate(element, (e, name) => e.GetProperty(name)).GetString() ?? "";
}
