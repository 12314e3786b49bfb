using System.CommandLine;
using System.Globalization;
using Registry.Ctl.Cli;
using Registry.Protos.Custody.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

/// <summary>
/// <c>registryctl exchange draft|add|remove|agree|cancel|execute|show|list</c>: the coordinator's exchange lists for
/// prisoner swaps (DRAFT, AGREED, EXECUTED or CANCELLED), each listed person held back by the non-refoulement rule (GC III
/// Art. 118) or a missing fitness for repatriation (Art. 119 by Art. 46-48) when the list is executed.
/// </summary>
public static class ExchangeCommands
{
    private static readonly Argument<string> ListId = new("list-id") { Description = "The exchange list's id (a UUID, as draft and list print it)." };

    private static Argument<string[]> CaseIds(string what, ArgumentArity arity) => new("case-id") { Description = what, Arity = arity };

    public static Command Create() => new("exchange", """
        Exchange lists for prisoner swaps: draft one with the counterpart power, add and remove persons while it is a draft,
        agree it, execute it (each person exchanged, or held back with the reason), or cancel it. The coordinator's; the
        custodian, the ICRC and the auditor may read them.
        """)
    {
        Draft(), Add(), Remove(), Agree(), Cancel(), Execute(), Show(), List(),
    };

    private static Command Draft()
    {
        var cases = CaseIds("The persons to list (case ids); may be left out and added later.", ArgumentArity.ZeroOrMore);
        var state = new Option<string?>("--state") { Description = "The counterpart state, ISO 3166-1 alpha-2, e.g. KP." };
        var authority = new Option<string?>("--authority") { Description = "The counterpart authority, e.g. \"Ministry of Defence\" or \"via the ICRC\"." };
        var note = new Option<string?>("--note") { Description = "A note kept with the list." };
        return new Command("draft", """
            Drafts an exchange list with the counterpart power and, optionally, its first persons (DRAFT, a reference
            EX-000001...). A person under a non-refoulement hold may be listed: the entry is marked on hold.
            Example: registryctl exchange draft <case-id> --state KP --authority "via the ICRC" --note "proposed exchange" --profile coordinator
            """) { cases, Calls.RequestId, state, authority, note }.WithConnection().Does(
            parse => new DraftExchangeListRequest
            {
                RequestId = Calls.RequestIdOf(parse), Counterpart = new ExchangeCounterpart { State = parse.Text(state), Authority = parse.Text(authority) },
                Note = parse.Text(note), CaseIds = { parse.GetValue(cases) ?? [] },
            },
            (calls, request) => calls.Custody.DraftExchangeListAsync(request, calls.Options).ResponseAsync,
            (console, r) => Print(console, r.ExchangeList, r.Entries, r.Replayed));
    }

    private static Command Add()
    {
        var cases = CaseIds("The persons to add (case ids), 1 to 500.", ArgumentArity.OneOrMore);
        return new Command("add", """
            Adds persons to a DRAFT list (at most 500 entries a list).
            Example: registryctl exchange add <list-id> <case-id> <case-id> --profile coordinator
            """) { ListId, cases, Calls.RequestId }.WithConnection().Does(
            parse => new AddToExchangeListRequest { RequestId = Calls.RequestIdOf(parse), ExchangeListId = parse.GetValue(ListId)!, CaseIds = { parse.GetValue(cases)! } },
            (calls, request) => calls.Custody.AddToExchangeListAsync(request, calls.Options).ResponseAsync,
            (console, r) => Print(console, r.ExchangeList, r.Entries, r.Replayed));
    }

    private static Command Remove()
    {
        var cases = CaseIds("The persons to remove (case ids), 1 to 500.", ArgumentArity.OneOrMore);
        return new Command("remove", """
            Removes persons from a DRAFT list.
            Example: registryctl exchange remove <list-id> <case-id> --profile coordinator
            """) { ListId, cases, Calls.RequestId }.WithConnection().Does(
            parse => new RemoveFromExchangeListRequest { RequestId = Calls.RequestIdOf(parse), ExchangeListId = parse.GetValue(ListId)!, CaseIds = { parse.GetValue(cases)! } },
            (calls, request) => calls.Custody.RemoveFromExchangeListAsync(request, calls.Options).ResponseAsync,
            (console, r) => Print(console, r.ExchangeList, r.Entries, r.Replayed));
    }

    private static Command Agree()
    {
        var version = new Option<long?>("--version") { Description = "The list's version agreed to, as show printed it; default: the version read just before." };
        return new Command("agree", """
            Agrees a DRAFT list with the counterpart (AGREED: its entries are fixed), at the version read: a list changed since
            is refused (ABORTED). Without --version the list is read first and agreed as read. A person may be on one agreed
            list at most.
            Example: registryctl exchange agree <list-id> --version 3 --profile coordinator
            """) { ListId, Calls.RequestId, version }.WithConnection().Does(
            parse => new AgreeExchangeListRequest { RequestId = Calls.RequestIdOf(parse), ExchangeListId = parse.GetValue(ListId)!, Version = parse.GetValue(version) ?? 0 },
            async (calls, request) =>
            {
                if (request.Version == 0)
                {
                    request.Version = (await calls.Custody.GetExchangeListAsync(new GetExchangeListRequest { ExchangeListId = request.ExchangeListId }, calls.Options)).ExchangeList.Version;
                    UnknownOutcome.Filled(version.Name, request.Version.ToString(CultureInfo.InvariantCulture));
                }

                return await calls.Custody.AgreeExchangeListAsync(request, calls.Options);
            },
            (console, r) => Print(console, r.ExchangeList, r.Entries, r.Replayed));
    }

    private static Command Cancel()
    {
        var reason = new Option<string?>("--reason") { Description = "Why the list is cancelled." };
        return new Command("cancel", """
            Cancels a DRAFT or AGREED list, with the reason.
            Example: registryctl exchange cancel <list-id> --reason "the counterpart withdrew" --profile coordinator
            """) { ListId, Calls.RequestId, reason }.WithConnection().Does(
            parse => new CancelExchangeListRequest { RequestId = Calls.RequestIdOf(parse), ExchangeListId = parse.GetValue(ListId)!, Reason = parse.Text(reason) },
            (calls, request) => calls.Custody.CancelExchangeListAsync(request, calls.Options).ResponseAsync,
            (console, r) => Print(console, r.ExchangeList, r.Entries, r.Replayed));
    }

    private static Command Execute()
    {
        var at = new Option<string?>("--at") { Description = "When the exchange took place, RFC 3339 with an offset (default: now; not before the list was agreed)." };
        var fitnessOverride = new Option<string?>("--fitness-override-reason")
        {
            Description = "Exchanges a person without a fit verdict for repatriation (e.g. the exchange is the safest course), recorded in each person's event.",
        };
        return new Command("execute", """
            Executes an AGREED list: each person is exchanged (custody EXCHANGED, an end of captivity) or held back with the
            rule's reason (a non-refoulement hold, GC III Art. 118; unfit or no fitness for repatriation; a state that allows no
            exchange). The list is EXECUTED either way; the answer reports each person. Exit 0 even when some are held back.
            Example: registryctl exchange execute <list-id> --profile coordinator
            """) { ListId, Calls.RequestId, at, fitnessOverride }.WithConnection().Does(
            parse => new ExecuteExchangeListRequest
            {
                RequestId = Calls.RequestIdOf(parse), ExchangeListId = parse.GetValue(ListId)!, ExecutedAt = parse.InstantOrNow(at),
                FitnessOverrideReason = parse.Text(fitnessOverride),
            },
            (calls, request) => calls.Custody.ExecuteExchangeListAsync(request, calls.Options).ResponseAsync,
            (console, r) =>
            {
                Print(console, r.ExchangeList, r.Entries, r.Replayed);
                console.MarkupLine($"{r.ExchangedCount} exchanged, {r.HeldBackCount} held back");
            });
    }

    private static Command Show() => new Command("show", """
        One exchange list with its entries, each with the person's custody state and non-refoulement hold as they stand now.
        Example: registryctl exchange show <list-id> --profile coordinator
        """) { ListId }.WithConnection().Does(
        parse => new GetExchangeListRequest { ExchangeListId = parse.GetValue(ListId)! },
        (calls, request) => calls.Custody.GetExchangeListAsync(request, calls.Options).ResponseAsync,
        (console, r) => Print(console, r.ExchangeList, r.Entries, replayed: false));

    private static Command List()
    {
        var state = Values.EnumOption<ExchangeListState>("--state", "Only lists in this state: Draft, Agreed, Executed or Cancelled.");
        var paging = new Paging("Lists", 50);
        return new Command("list", """
            The exchange lists in the order drafted, optionally of one state.
            Example: registryctl exchange list --state Agreed --profile coordinator
            """) { state }.With(paging.Options).WithConnection().Does(
            parse => new ListExchangeListsRequest
            {
                State = parse.GetValue(state) ?? ExchangeListState.Unspecified, PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse),
            },
            (calls, request) => calls.Custody.ListExchangeListsAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.ExchangeLists, "list(s)", page.NextPageToken, ["reference", "list id", "state", "version", "counterpart", "persons", "drafted", "note"],
                l => [l.Reference, l.ExchangeListId, l.State.ToString(), l.Version.ToString(CultureInfo.InvariantCulture), Counterpart(l.Counterpart),
                    l.EntryCount.ToString(CultureInfo.InvariantCulture), Output.Time(l.Drafted?.At), l.Note]));
    }

    private static string Counterpart(ExchangeCounterpart? c) => c is null ? "" : $"{c.State} ({c.Authority})";

    /// <summary>A list's head line (reference, id, state, version, counterpart) and its entries.</summary>
    private static void Print(IAnsiConsole console, ExchangeList list, IEnumerable<ExchangeListEntry> entries, bool replayed)
    {
        console.MarkupLine(Output.Safe($"{list.Reference}  {list.ExchangeListId}  {list.State} (version {list.Version}), counterpart {Counterpart(list.Counterpart)}"
            + (list.CancelReason.Length > 0 ? $"; cancelled: {list.CancelReason}" : "") + (replayed ? " (replayed)" : "")));
        var table = new Table().AddColumns("case", "case id", "custody", "hold", "outcome", "held back because");
        foreach (var e in entries)
        {
            table.Row(e.CaseNumber, e.CaseId, e.CustodyState.ToString(), e.OnHold ? e.NonRefoulementHold : "", e.Outcome.ToString(),
                e.HeldBackReason.Length > 0 ? $"{e.HeldBackReason}: {e.HeldBackDetail}" : "");
        }

        console.Write(table);
    }
}
