using System.CommandLine;
using System.Globalization;
using Registry.Ctl.Cli;
using Registry.Protos.Intake.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

/// <summary><c>registryctl duplicates list|merge|not-duplicate</c>: the coordinator's review of cases that may be the same person (record linkage).</summary>
public static class DuplicateCommands
{
    public static Command Create()
    {
        var caseOption = new Option<string?>("--case") { Description = "Only the candidates that involve this case (a UUID)." };
        var paging = new Paging("Candidates", 50);
        var list = new Command("list", """
            The open duplicate candidates, oldest first: two cases that may be the same person (registered twice, by two
            agencies, in two scripts), with the score and the reasons.
            Example: registryctl duplicates list --profile coordinator
            """) { caseOption }.With(paging.Options).WithConnection();
        list.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var page = await new IntakeService.IntakeServiceClient(calls.Invoker).ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest
            {
                CaseId = parse.GetValue(caseOption) ?? "",
                PageSize = paging.SizeOf(parse),
                PageToken = paging.TokenOf(parse),
            }, calls.Options);
            Output.Write(parse.GetValue(Connection.OutputFormat), page, console =>
            {
                var table = new Table().AddColumns("case", "may be the same person as", "score", "why", "found", "case ids");
                foreach (var d in page.DuplicateCandidates)
                {
                    table.AddRow(Output.Safe(d.CaseNumber), Output.Safe(d.OtherCaseNumber), d.Score.ToString("0.0", CultureInfo.InvariantCulture),
                        Output.Safe(string.Join("; ", d.Reasons)), Output.Safe(Output.Time(d.FoundAt)), Output.Safe($"{d.CaseId} {d.OtherCaseId}"));
                }

                console.Write(table);
                console.MarkupLine(Paging.Footer(page.DuplicateCandidates.Count, "open candidate(s)", page.NextPageToken));
            });
            return ExitCodes.Done;
        });

        var survivor = new Argument<string>("survivor-case-id") { Description = "The case that stays (a UUID)." };
        var merged = new Argument<string>("merged-case-id") { Description = "The case merged into it (a UUID)." };
        var reason = new Option<string>("--reason") { Description = "Why they are the same person (kept with the decision).", Required = true };
        var merge = new Command("merge", """
            Merges two cases of the same person: the merged case points to the survivor, its facts, custody and medical history
            follow. Both cases are read first, so the merge applies to what was just seen (a change in between is ABORTED).
            Example: registryctl duplicates merge <survivor-case-id> <merged-case-id> --reason "same service number" --profile coordinator
            """) { survivor, merged, reason }.WithConnection();
        merge.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var intake = new IntakeService.IntakeServiceClient(calls.Invoker);
            var kept = (await intake.GetCaseAsync(new GetCaseRequest { CaseId = parse.GetValue(survivor)! }, calls.Options)).Case;
            var gone = (await intake.GetCaseAsync(new GetCaseRequest { CaseId = parse.GetValue(merged)! }, calls.Options)).Case;
            var response = await intake.MergeCasesAsync(new MergeCasesRequest
            {
                SurvivorCaseId = kept.CaseId,
                SurvivorRevision = kept.Revision,
                MergedCaseId = gone.CaseId,
                MergedRevision = gone.Revision,
                Reason = parse.GetValue(reason)!,
            }, calls.Options);
            Output.Write(parse.GetValue(Connection.OutputFormat), response, console =>
                console.MarkupLine($"merged {Output.Safe(response.Merged.CaseNumber)} into {Output.Safe(response.Survivor.CaseNumber)} ({Output.Safe(CaseCommands.Name(response.Survivor.Identity))})"));
            return ExitCodes.Done;
        });

        var caseId = new Argument<string>("case-id") { Description = "One case of the pair (a UUID)." };
        var other = new Argument<string>("other-case-id") { Description = "The other case of the pair (a UUID)." };
        var notReason = new Option<string>("--reason") { Description = "Why they are different persons.", Required = true };
        var notDuplicate = new Command("not-duplicate", """
            Decides that two cases are different persons: the candidate is closed and not raised again for the pair.
            Example: registryctl duplicates not-duplicate <case-id> <other-case-id> --reason "different fathers' names" --profile coordinator
            """) { caseId, other, notReason }.WithConnection();
        notDuplicate.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var response = await new IntakeService.IntakeServiceClient(calls.Invoker).MarkNotDuplicateAsync(new MarkNotDuplicateRequest
            {
                CaseId = parse.GetValue(caseId)!,
                OtherCaseId = parse.GetValue(other)!,
                Reason = parse.GetValue(notReason)!,
            }, calls.Options);
            Output.Write(parse.GetValue(Connection.OutputFormat), response, console =>
                console.MarkupLine($"{Output.Safe(response.DuplicateCandidate.CaseNumber)} and {Output.Safe(response.DuplicateCandidate.OtherCaseNumber)}: not the same person ({Output.Safe(response.DuplicateCandidate.Status.ToString())})"));
            return ExitCodes.Done;
        });

        return new Command("duplicates", "Cases that may be the same person: list them, merge a pair, or mark it not a duplicate.") { list, merge, notDuplicate };
    }
}
