using System.CommandLine;
using Registry.Ctl.Cli;
using Registry.Protos.Gateway.V1;
using Grpc.Core;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

/// <summary><c>registryctl overdue</c> and <c>audit</c>: what is late, and who read what.</summary>
public static class ReadCommands
{
    /// <summary>The most rows <c>overdue</c> gathers from each source.</summary>
    public const int MaxOverdueRows = 5000;

    public static Command Overdue()
    {
        var asOf = new Option<string?>("--as-of") { Description = "The moment lateness is judged at, RFC 3339 (default: now); a later one shows what will be late." };
        var limit = new Option<int>("--limit") { Description = $"The most rows shown, oldest due first, 1 to {MaxOverdueRows} (default 100).", DefaultValueFactory = _ => 100 };
        var command = new Command("overdue", """
            What the Convention's clocks say is late, in one table sorted by due time: capture cards (GC III Art. 70: within a
            week), notifications to the ICRC (Art. 122-123) and weekly health reports of the seriously ill or wounded (Art. 122)
            from intake's ListOverdue, and monthly medical inspections (Art. 31) from medical's ListOverdueInspections, judged
            at one moment. The first --limit rows by due time; the footer says when there are more. A role that may read
            only one of the two lists (a medic: inspections) gets that one, and the table says which part it cannot see.
            Example: registryctl overdue --profile coordinator
            """) { asOf, limit }.WithConnection();
        command.SetAction(async (parse, ct) =>
        {
            var most = parse.GetValue(limit);
            if (most is < 1 or > MaxOverdueRows)
            {
                throw new UsageException($"--limit must be from 1 to {MaxOverdueRows}, not {most}.");
            }

            var at = parse.Instant(asOf) ?? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            using var calls = await Connection.OpenAsync(parse, ct);
            var intake = new IntakeService.IntakeServiceClient(calls.Invoker);
            var medical = new MedicalService.MedicalServiceClient(calls.Invoker);
            var duties = await GatherAsync(most, async token =>
            {
                var page = await intake.ListOverdueAsync(new ListOverdueRequest { AsOf = at, PageSize = Math.Min(most, 500), PageToken = token }, calls.Options);
                return (page.Items.Select(i => new OverdueRow(CodeOf(i.Kind), i.CaseId, i.CaseNumber, i.DueAt.ToDateTimeOffset(), (long)i.OverdueBy.ToTimeSpan().TotalSeconds,
                    i.Reason, i.CaptureCardId.Length > 0 ? i.CaptureCardId : i.NotificationId)).ToList(), page.NextPageToken);
            });
            var inspections = await GatherAsync(most, async token =>
            {
                var page = await medical.ListOverdueInspectionsAsync(new ListOverdueInspectionsRequest { AsOf = at, PageSize = Math.Min(most, 500), PageToken = token }, calls.Options);
                return (page.Items.Select(i => new OverdueRow("inspection", i.CaseId, i.CaseNumber, i.DueAt.ToDateTimeOffset(), (long)i.OverdueBy.ToTimeSpan().TotalSeconds,
                    i.LastExaminedAt is { } last ? $"last examined {Output.Time(last)}" : "never examined", "")).ToList(), page.NextPageToken);
            });
            if (duties.Refused is { } refused && inspections.Refused is not null)
            {
                throw refused;
            }

            var all = duties.Rows.Concat(inspections.Rows).OrderBy(r => r.DueAt).ThenBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.CaseNumber, StringComparer.Ordinal).ToList();
            var list = new OverdueList(at.ToDateTimeOffset(), [.. all.Take(most)], duties.More || inspections.More || all.Count > most,
                [.. new[] { duties.Refused is null ? null : "capture cards, ICRC notifications and weekly reports", inspections.Refused is null ? null : "inspections" }.OfType<string>()]);
            Output.WriteRecord(parse.GetValue(Connection.OutputFormat), list, console =>
            {
                var table = new Table().AddColumns("due", "late by", "what", "case", "why", "id");
                foreach (var row in list.Items)
                {
                    var late = TimeSpan.FromSeconds(row.OverdueBySeconds);
                    table.Row([Output.Time(Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(row.DueAt)),
                        late.TotalDays >= 1 ? $"{(int)late.TotalDays} d {late.Hours} h" : $"{late.Hours} h {late.Minutes} min", Shown(row.Kind), row.CaseNumber, row.Why, row.Id]);
                }

                console.Write(table);
                console.MarkupLine($"{list.Items.Count} overdue as of {Output.Safe(Output.Time(at))}" + (list.More ? $"; more: raise --limit (at most {MaxOverdueRows})" : ""));
                foreach (var hidden in list.NotVisibleToRole)
                {
                    console.MarkupLine(Output.Safe($"not shown: {hidden} (your role may not read them)"));
                }
            });
            return ExitCodes.Done;
        });
        return command;
    }

    /// <summary>
    /// One late duty, whichever service keeps its clock: <see cref="Kind"/> capture_card, icrc_notification, weekly_health_report or
    /// inspection (the gauge's duty labels); <see cref="Id"/> the capture card's or notification's.
    /// </summary>
    public sealed record OverdueRow(string Kind, string CaseId, string CaseNumber, DateTimeOffset DueAt, long OverdueBySeconds, string Why, string Id);

    /// <summary>What <c>overdue</c> prints: the rows, whether there are more, and the lists the caller's role may not read.</summary>
    public sealed record OverdueList(DateTimeOffset AsOf, IReadOnlyList<OverdueRow> Items, bool More, IReadOnlyList<string> NotVisibleToRole);

    /// <summary>A row's kind in JSON: the <c>registry.duty</c> label of the <c>registry.gc3.overdue</c> gauge.</summary>
    private static string CodeOf(OverdueKind kind) => kind switch
    {
        OverdueKind.CaptureCard => "capture_card",
        OverdueKind.Notification => "icrc_notification",
        OverdueKind.WeeklyHealthReport => "weekly_health_report",
        _ => kind.ToString(),
    };

    private static string Shown(string kind) => kind switch
    {
        "capture_card" => "capture card (Art. 70)",
        "icrc_notification" => "ICRC notification (Art. 122)",
        "weekly_health_report" => "weekly health report (Art. 122)",
        "inspection" => "inspection (Art. 31)",
        _ => kind,
    };

    /// <summary>Pages of one source, oldest due first, until <paramref name="most"/> rows or the end; a PERMISSION_DENIED is kept, not thrown.</summary>
    private static async Task<(List<OverdueRow> Rows, bool More, RpcException? Refused)> GatherAsync(int most, Func<string, Task<(List<OverdueRow> Rows, string Next)>> page)
    {
        var rows = new List<OverdueRow>();
        var token = "";
        try
        {
            do
            {
                var (items, next) = await page(token);
                rows.AddRange(items);
                token = next;
            }
            while (token.Length > 0 && rows.Count < most);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.PermissionDenied)
        {
            return ([], false, ex);
        }

        return (rows, token.Length > 0, null);
    }

    public static Command Audit()
    {
        var caseId = new Option<string?>("--case") { Description = "Only the events naming this case (a UUID)." };
        var agency = new Option<string?>("--agency") { Description = "Only the events of callers of this agency, e.g. KR-NIS." };
        var from = new Option<string?>("--from") { Description = "Only events at or after this instant (RFC 3339)." };
        var to = new Option<string?>("--to") { Description = "Only events before this instant (RFC 3339)." };
        var paging = new Paging("Events", 100);
        var command = new Command("audit", """
            Who called what on the registry's data, allowed or refused, from the access audit of every service merged (the
            auditor's role; GC III Art. 13: protection against curiosity is checked, not assumed).
            Example: registryctl audit --case 0193c1f4-3b8e-7c4a-9d2e-5f6a7b8c9d0e --profile auditor
            """) { caseId, agency, from, to }.With(paging.Options).WithConnection();
        command.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var page = await new AuditService.AuditServiceClient(calls.Invoker).ListAccessEventsAsync(new ListAccessEventsRequest
            {
                CaseId = parse.GetValue(caseId) ?? "",
                Agency = parse.GetValue(agency) ?? "",
                From = parse.Instant(from),
                To = parse.Instant(to),
                PageSize = paging.SizeOf(parse),
                PageToken = paging.TokenOf(parse),
            }, calls.Options);
            Output.Write(parse.GetValue(Connection.OutputFormat), page, console =>
            {
                var table = new Table().AddColumns("when", "service", "method", "client", "agency", "roles", "outcome", "reason", "withheld");
                foreach (var e in page.Events)
                {
                    table.AddRow(Output.Safe(Output.Time(e.OccurredAt)), Output.Safe(e.Service), Output.Safe(e.Method[(e.Method.IndexOf('/') + 1)..]),
                        Output.Safe(e.ClientId), Output.Safe(e.Agency), Output.Safe(e.Roles),
                        Output.Safe(e.Outcome + (e.DecidedBy.Length > 0 ? $" ({e.DecidedBy})" : "")), Output.Safe(e.Reason), Output.Safe(e.Withheld));
                }

                console.Write(table);
                console.MarkupLine(Paging.Footer(page.Events.Count, "event(s)", page.NextPageToken));
            });
            return ExitCodes.Done;
        });
        return command;
    }
}
