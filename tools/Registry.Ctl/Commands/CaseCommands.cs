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

        return new Command("case", "A person's case: its file, or a search.") { show, search };
    }

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
            new Markup(Output.Safe($"risk on return {r.ReturnRisk}, wish {wish}{(r.NonRefoulementHold.Length > 0 ? "; hold: " + r.NonRefoulementHold : "")}")
                + (r.WithheldFields.Count > 0 ? $" [yellow]withheld from this role[/]: {Output.Safe(string.Join(", ", r.WithheldFields))}" : "")));
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
