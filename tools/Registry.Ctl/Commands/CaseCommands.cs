using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Ctl.Cli;
using Registry.Protos.Common.V1;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary><c>registryctl case show|search</c> and <c>registryctl register</c>: a person's record, through the gateway.</summary>
public static class CaseCommands
{
    public static Command Case()
    {
        var caseId = new Argument<string>("case-id") { Description = "The case's id (a UUID, as search and register print it)." };
        var show = new Command("show", """
            The case file as the caller's role may see it: identity (each fact with its source), the custody record and its
            timeline, the medical summary; a part the role may not see is marked withheld, a part whose service did not
            answer, unavailable (GC III Art. 13; medical confidentiality, Art. 30-31).
            Example: registryctl case show 0193c1f4-3b8e-7c4a-9d2e-5f6a7b8c9d0e --profile coordinator
            """) { caseId }.WithConnection();
        show.SetAction((parse, ct) => ShowAsync(parse, parse.GetValue(caseId)!, ct));

        var name = new Option<string?>("--name") { Description = "Part of a name, in any script (every word must occur)." };
        var serviceNumber = new Option<string?>("--service-number") { Description = "The service number, exactly." };
        var nationality = new Option<string?>("--nationality") { Description = "ISO 3166-1 alpha-2 code, e.g. KP." };
        var agency = new Option<string?>("--agency") { Description = "The capturing agency (an intake officer searches only its own)." };
        var paging = new Paging("Cases", 20);
        var search = new Command("search", """
            Finds cases by a name in any script and other criteria, in registration order, a page at a time.
            Example: registryctl case search --name 광순 --nationality KP --profile coordinator
            """) { name, serviceNumber, nationality, agency }.With(paging.Options).WithConnection();
        search.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var found = await new IntakeService.IntakeServiceClient(calls.Invoker).SearchCasesAsync(new SearchCasesRequest
            {
                Name = parse.GetValue(name) ?? "",
                ServiceNumber = parse.GetValue(serviceNumber) ?? "",
                Nationality = parse.GetValue(nationality) ?? "",
                CapturingAgency = parse.GetValue(agency) ?? "",
                PageSize = paging.SizeOf(parse),
                PageToken = paging.TokenOf(parse),
            }, calls.Options);
            Output.Write(parse.GetValue(Connection.OutputFormat), found, console =>
            {
                var table = new Table().AddColumns("case", "case id", "name", "born", "nationality", "captured", "agency", "status");
                foreach (var c in found.Cases)
                {
                    table.AddRow(Output.Safe(c.CaseNumber), Output.Safe(c.CaseId), Output.Safe(Name(c.Identity)), Output.Safe(Date(c.Identity.DateOfBirth)),
                        Output.Safe(c.Identity.Nationality), Output.Safe(Output.Time(c.Capture?.CapturedAt)), Output.Safe(c.Capture?.CapturingAgency),
                        Output.Safe(c.StatusCategory.ToString()));
                }

                console.Write(table);
                console.MarkupLine(Paging.Footer(found.Cases.Count, "case(s)", found.NextPageToken));
            });
            return ExitCodes.Done;
        });

        return new Command("case", "A person's case: its file, a search, and its sharing with partner agencies.") { show, search, Share(), Unshare(), Shares(), Shared() };
    }

    private static Command Share()
    {
        var caseId = new Argument<string>("case-id") { Description = "The case's id (a UUID)." };
        var partner = new Option<string?>("--partner") { Description = "The partner agency's code, as its tokens carry it, e.g. KR-NIS." };
        var purpose = new Option<string?>("--purpose") { Description = "Why the case is shared, e.g. \"family tracing request 2025/114\"." };
        var validUntil = new Option<string?>("--valid-until") { Description = "When the share ends, RFC 3339: in the future, at most 366 days ahead." };
        return new Command("share", """
            Shares a case with a partner agency for a stated purpose until an end date: while the share is active the partner
            reads the case's identity and custody, never its medical part. The coordinator's.
            Example: registryctl case share <case-id> --partner KR-NIS --purpose "questioning with an interpreter of the partner" --valid-until 2026-06-30T00:00:00Z --profile coordinator
            """) { caseId, Calls.RequestId, partner, purpose, validUntil }.WithConnection().Does(
            parse => new ShareCaseRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = parse.GetValue(caseId)!, PartnerAgency = parse.Text(partner), Purpose = parse.Text(purpose),
                ValidUntil = parse.Instant(validUntil),
            },
            (calls, request) => calls.Intake.ShareCaseAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.Write(ShareFacts(r.Share, r.Replayed)));
    }

    private static Command Unshare()
    {
        var shareId = new Argument<string>("share-id") { Description = "The share's id, as share and shares print it." };
        var reason = new Option<string?>("--reason") { Description = "Why the share ends." };
        return new Command("unshare", """
            Ends a share now (RevokeShare): intake refuses the partner at once, custody within seconds. The coordinator's.
            Example: registryctl case unshare <share-id> --reason "purpose fulfilled" --profile coordinator
            """) { shareId, reason }.WithConnection().Does(
            parse => new RevokeShareRequest { ShareId = parse.GetValue(shareId)!, Reason = parse.Text(reason) },
            (calls, request) => calls.Intake.RevokeShareAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.Write(ShareFacts(r.Share, replayed: false)));
    }

    private static Command Shares()
    {
        var caseId = new Option<string?>("--case") { Description = "Only the shares of this case (a UUID)." };
        var partner = new Option<string?>("--partner") { Description = "Only the shares with this agency." };
        var ended = new Option<bool>("--include-ended") { Description = "Also revoked and expired shares." };
        var paging = new Paging("Shares", 50);
        return new Command("shares", """
            The shares, oldest first: which case with which partner agency, why, until when, by whom; only active ones unless
            --include-ended. The coordinator's and the auditor's.
            Example: registryctl case shares --partner KR-NIS --include-ended --profile coordinator
            """) { caseId, partner, ended }.With(paging.Options).WithConnection().Does(
            parse => new ListSharesRequest
            {
                CaseId = parse.Text(caseId), PartnerAgency = parse.Text(partner), IncludeEnded = parse.GetValue(ended),
                PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse),
            },
            (calls, request) => calls.Intake.ListSharesAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Shares, "share(s)", page.NextPageToken, ["share id", "case", "partner", "purpose", "until", "by", "active"],
                s => [s.ShareId, s.CaseNumber, s.PartnerAgency, s.Purpose, Output.Time(s.ValidUntil), s.SharedByAgency,
                    s.Active ? "yes" : s.RevokedAt is null ? "expired" : $"revoked {Output.Time(s.RevokedAt)}"]));
    }

    private static Command Shared()
    {
        var paging = new Paging("Cases", 50);
        return new Command("shared", """
            The cases currently shared with the caller's own agency, oldest share first. The partner's.
            Example: registryctl case shared --profile partner
            """).With(paging.Options).WithConnection().Does(
            parse => new ListSharedCasesRequest { PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Intake.ListSharedCasesAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.SharedCases, "case(s)", page.NextPageToken, ["case", "case id", "purpose", "until", "share id"],
                c => [c.CaseNumber, c.CaseId, c.Purpose, Output.Time(c.ValidUntil), c.ShareId]));
    }

    private static Table ShareFacts(Protos.Intake.V1.Share share, bool replayed) => Output.Facts(
        ("share", share.ShareId + (replayed ? " (replayed)" : "")), ("case", $"{share.CaseNumber}  {share.CaseId}"), ("partner", share.PartnerAgency),
        ("purpose", share.Purpose), ("until", Output.Time(share.ValidUntil)), ("shared by", $"{share.SharedByAgency} ({share.SharedByClientId})"),
        ("active", share.Active ? "yes" : "no"),
        ("revoked", share.RevokedAt is null ? "" : $"{Output.Time(share.RevokedAt)} by {share.RevokedByAgency}: {share.RevocationReason}"));

    private static async Task<int> ShowAsync(ParseResult parse, string caseId, CancellationToken ct)
    {
        using var calls = await Connection.OpenAsync(parse, ct);
        var file = await new CaseFileService.CaseFileServiceClient(calls.Invoker).GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId }, calls.Options);
        if (parse.GetValue(Connection.OutputFormat) == OutputFormat.Json)
        {
            Output.Write(OutputFormat.Json, file, _ => { });
            return ExitCodes.Done;
        }

        var caseFile = file.CaseFile;
        var console = Output.Console;
        console.Write(new Panel(await IdentityAsync(calls, caseFile.Identity)) { Header = new PanelHeader("Identity"), Expand = true });
        console.Write(new Panel(await CustodyAsync(calls, caseFile)) { Header = new PanelHeader("Custody"), Expand = true });
        console.Write(new Panel(Medical(caseFile.Medical)) { Header = new PanelHeader("Medical summary"), Expand = true });
        return ExitCodes.Done;
    }

    private static async Task<Spectre.Console.Rendering.IRenderable> IdentityAsync(RegistryCalls calls, IdentityPart part)
    {
        if (part.ResultCase != IdentityPart.ResultOneofCase.Case)
        {
            return Missing(part.Withheld?.Reason, part.Unavailable);
        }

        var c = part.Case;
        // Each fact's source, from the assertions in force; a role that may not read them sees the facts alone.
        var sources = new Dictionary<string, string>();
        string? sourcesWithheld = null;
        try
        {
            var assertions = await new IntakeService.IntakeServiceClient(calls.Invoker)
                .ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = c.CaseId, PageSize = 500 }, calls.Options);
            foreach (var a in assertions.Assertions.Where(a => a.Current))
            {
                sources[a.Field] = Source(a);
            }
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            sourcesWithheld = $"sources {(ex.StatusCode == StatusCode.PermissionDenied ? "withheld" : "unavailable")}: {ex.Status.Detail}";
        }

        var table = new Table().AddColumns("fact", "value", "source").HideHeaders().NoBorder();
        table.AddRow("case", Output.Safe($"{c.CaseNumber}  {c.CaseId}"), "");
        foreach (var field in Identity.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = Text(field.Accessor.GetValue(c.Identity));
            if (value.Length > 0)
            {
                table.AddRow(Output.Safe(field.Name), Output.Safe(value), Output.Safe(sources.GetValueOrDefault(field.Name, sourcesWithheld is null ? "not recorded" : "")));
            }
        }

        table.AddRow("status", Output.Safe(c.StatusCategory.ToString()), "");
        table.AddRow("captured", Output.Safe($"{Output.Time(c.Capture?.CapturedAt)} at {c.Capture?.Place} by {c.Capture?.CapturingUnit} ({c.Capture?.CapturingAgency})"), "");
        if (sourcesWithheld is not null)
        {
            table.AddRow("", $"[grey]{Output.Safe(sourcesWithheld)}[/]", "");
        }

        return table;
    }

    private static async Task<Spectre.Console.Rendering.IRenderable> CustodyAsync(RegistryCalls calls, CaseFile file)
    {
        if (file.Custody.ResultCase != CustodyPart.ResultOneofCase.Record)
        {
            return Missing(file.Custody.Withheld?.Reason, file.Custody.Unavailable);
        }

        var r = file.Custody.Record;
        var wish = r.WithheldFields.Contains("return_wish") ? "withheld" : r.ReturnWish.ToString();
        var rows = new Rows(
            new Markup(Output.Safe($"{r.State} since {Output.Time(r.StateSince)}; {CustodyCommands.Facility(r.Facility)} ({r.CustodianAgency})")),
            new Markup(Output.Safe($"now: {CurrentPlace(r)}")),
            new Markup(Output.Safe($"risk on return {r.ReturnRisk}, wish {wish}{(r.NonRefoulementHold.Length > 0 ? "; hold: " + r.NonRefoulementHold : "")}")
                + (r.WithheldFields.Count > 0 ? $"; [yellow]withheld from this role[/]: {Output.Safe(string.Join(", ", r.WithheldFields))}" : "")),
            new Markup(Output.Safe(LastInterview(r))));
        Table timeline;
        try
        {
            var events = await calls.Custody.ListCustodyEventsAsync(new ListCustodyEventsRequest { CaseId = file.CaseId, PageSize = 500 }, calls.Options);
            timeline = CustodyCommands.Timeline(events.Events);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return new Rows(rows, new Markup($"[grey]timeline {(ex.StatusCode == StatusCode.PermissionDenied ? "withheld" : "unavailable")}: {Output.Safe(ex.Status.Detail)}[/]"));
        }

        return new Rows(rows, timeline);
    }

    /// <summary>Where the person is now: in hospital, on the way to another place, or at the place of internment.</summary>
    private static string CurrentPlace(CustodyRecord r) => r.State switch
    {
        CustodyState.Hospitalised when r.Hospital.Length > 0 => $"in hospital: {r.Hospital} (place of internment: {CustodyCommands.Facility(r.Facility)})",
        CustodyState.InTransfer => $"in transfer to {CustodyCommands.Facility(r.TransferTo)} ({r.TransferToAgency}), from {CustodyCommands.Facility(r.Facility)}",
        _ when r.Facility is null => $"not admitted; captured at {r.CapturePlace}",
        _ => $"{CustodyCommands.Facility(r.Facility)} ({r.CustodianAgency})",
    };

    /// <summary>The latest interview (GC III Art. 17): when, where, who asked, in which language, through whom, and who else was there.</summary>
    private static string LastInterview(CustodyRecord r)
    {
        if (r.WithheldFields.Contains("last_interview"))
        {
            return "last interview: withheld from this role";
        }

        if (r.LastInterview is not { } i)
        {
            return "last interview: none recorded";
        }

        var present = i.Present.Count == 0 ? "" : "; present: " + string.Join(", ", i.Present.Select(Participant));
        var interpreter = i.Interpreter is null ? "" : $" through interpreter {Participant(i.Interpreter)}";
        return $"last interview: {Output.Time(i.StartedAt)}, {i.DurationMinutes} min at {CustodyCommands.Facility(i.Place)} by {i.Interviewer} ({i.InterviewingAgency}) in {i.Language}{interpreter}{present}";
    }

    private static string Participant(InterviewParticipant p) =>
        $"{p.Name} ({string.Join(", ", new[] { p.Function, p.Agency }.Where(s => s.Length > 0))})";

    private static Spectre.Console.Rendering.IRenderable Medical(MedicalPart part) =>
        part.ResultCase != MedicalPart.ResultOneofCase.Summary
            ? Missing(part.Withheld?.Reason, part.Unavailable)
            : new Markup(Output.Safe($"{part.Summary.Status}; last examined {Output.Time(part.Summary.LastExaminedAt)}; next inspection due {Output.Time(part.Summary.ExaminationDueBy)}"
                + (part.Summary.HospitalisedSince is { } h ? $"; in hospital since {Output.Time(h)}" : "")
                + (part.Summary.SeriouslyIllSince is { } s ? $"; seriously ill since {Output.Time(s)}" : "")
                + (part.Summary.DiedAt is { } d ? $"; died {Output.Time(d)}" : "")));

    private static Markup Missing(string? withheld, PartUnavailable? unavailable) => withheld is not null
        ? new Markup($"[yellow]withheld[/]: {Output.Safe(withheld)}")
        : new Markup($"[red]unavailable[/]: {Output.Safe(unavailable?.Code)} {Output.Safe(unavailable?.Reason)}");

    private static string Source(IdentityAssertion a) => a.Source is null ? "not recorded" : a.Source.Kind switch
    {
        SourceKind.Document => $"document: {a.Source.DocumentType} {a.Source.DocumentNumber}".TrimEnd(),
        SourceKind.StatedByPerson => "stated by the person",
        SourceKind.ThirdParty => $"third party: {a.Source.ReportedBy}".TrimEnd(':', ' '),
        _ => "not recorded",
    } + $" ({a.AssertedAt.ToDateTimeOffset():yyyy-MM-dd})";

    public static string Name(Identity identity) =>
        string.Join(" ", new[] { identity.FamilyName, identity.GivenNames }.Where(s => s.Length > 0))
        + (identity.FamilyNameLatin.Length + identity.GivenNamesLatin.Length > 0 ? $" ({identity.FamilyNameLatin} {identity.GivenNamesLatin})".Replace("( ", "(").Replace(" )", ")") : "");

    public static string Date(PartialDate? date) => date is null || date.Year == 0 ? "" :
        date.Month == 0 ? $"{date.Year:0000}" : date.Day == 0 ? $"{date.Year:0000}-{date.Month:00}" : $"{date.Year:0000}-{date.Month:00}-{date.Day:00}";

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        PartialDate d => Date(d),
        Google.Protobuf.Collections.RepeatedField<string> list => string.Join(", ", list),
        System.Enum e => Convert.ToInt32(e, CultureInfo.InvariantCulture) == 0 ? "" : e.ToString(),
        IMessage m => JsonFormatter.Default.Format(m),
        _ => value.ToString() ?? "",
    };
}
