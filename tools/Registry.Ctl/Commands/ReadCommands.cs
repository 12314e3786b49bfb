using System.CommandLine;
using Registry.Ctl.Cli;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

/// <summary><c>registryctl overdue</c> and <c>audit</c>: what is late, and who read what.</summary>
public static class ReadCommands
{
    public static Command Overdue()
    {
        var asOf = new Option<string?>("--as-of") { Description = "The moment lateness is judged at, RFC 3339 (default: now); a later one shows what will be late." };
        var paging = new Paging("Rows", 100);
        var command = new Command("overdue", """
            What the Convention's clocks say is late, in one table sorted by due time: capture cards (GC III Art. 70: within a
            week), notifications to the ICRC (Art. 122-123) and weekly health reports of the seriously ill or wounded (Art. 122),
            from intake's overdue view. Monthly inspections (Art. 31) are medical's: see each case's medical summary and the
            registry_gc3_overdue gauge.
            Example: registryctl overdue --profile coordinator
            """) { asOf }.With(paging.Options).WithConnection();
        command.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var page = await new IntakeService.IntakeServiceClient(calls.Invoker).ListOverdueAsync(new ListOverdueRequest
            {
                AsOf = parse.Instant(asOf),
                PageSize = paging.SizeOf(parse),
                PageToken = paging.TokenOf(parse),
            }, calls.Options);
            Output.Write(parse.GetValue(Connection.OutputFormat), page, console =>
            {
                var table = new Table().AddColumns("due", "late by", "what", "case", "why", "id");
                foreach (var item in page.Items)
                {
                    var late = item.OverdueBy?.ToTimeSpan() ?? TimeSpan.Zero;
                    table.AddRow(Output.Safe(Output.Time(item.DueAt)), Output.Safe(late.TotalDays >= 1 ? $"{(int)late.TotalDays} d {late.Hours} h" : $"{late.Hours} h {late.Minutes} min"),
                        Output.Safe(item.Kind switch
                        {
                            OverdueKind.CaptureCard => "capture card (Art. 70)",
                            OverdueKind.Notification => "ICRC notification (Art. 122)",
                            OverdueKind.WeeklyHealthReport => "weekly health report (Art. 122)",
                            _ => item.Kind.ToString(),
                        }),
                        Output.Safe(item.CaseNumber), Output.Safe(item.Reason), Output.Safe(item.CaptureCardId.Length > 0 ? item.CaptureCardId : item.NotificationId));
                }

                console.Write(table);
                console.MarkupLine(Paging.Footer(page.Items.Count, $"overdue as of {Output.Safe(Output.Time(page.AsOf))}", page.NextPageToken));
            });
            return ExitCodes.Done;
        });
        return command;
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
