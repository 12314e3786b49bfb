using System.CommandLine;
using System.Globalization;
using Registry.Ctl.Cli;
using Registry.Protos.Custody.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

/// <summary><c>registryctl custody admit|transfer|confirm-arrival|release</c>: the custodian's record of where a person is held (GC III Art. 46-48).</summary>
public static class CustodyCommands
{
    private static readonly Option<string?> Agency = new("--agency") { Description = "The custodian agency: the caller's own (e.g. UA-SBU)." };
    private static readonly Option<string?> Note = new("--note") { Description = "A note kept with the event (one line)." };

    public static Command Create() => new("custody", "Where a person is held: admission, transfer and arrival, release (the custodian's).")
    {
        Admit(), Transfer(), ConfirmArrival(), Release(),
    };

    /// <summary>A place from three options: <c>--facility</c> (its name), <c>--locality</c>, <c>--country</c>.</summary>
    private sealed class Place(string what)
    {
        public Option<string?> Name { get; } = new("--facility") { Description = $"{what}: its name." };

        public Option<string?> Locality { get; } = new("--locality") { Description = "Its town or place." };

        public Option<string?> Country { get; } = new("--country") { Description = "Its country, ISO 3166-1 alpha-2." };

        public IEnumerable<Option> Options => [Name, Locality, Country];

        public Facility Of(ParseResult parse) => new() { Name = parse.Text(Name), Locality = parse.Text(Locality), Country = parse.Text(Country) };
    }

    private static Command Admit()
    {
        var at = Calls.At("When the person arrived");
        var place = new Place("The facility");
        return Calls.CaseWrite("admit", """
            Admits a registered person to a facility of the caller's agency: the custody record is HELD and a capture card
            falls due within a week (GC III Art. 70).
            Example: registryctl custody admit <case-id> --facility "SBU detention facility" --locality Kyiv --country UA --agency UA-SBU --profile custodian
            """, at, [.. place.Options, Agency, Note]).Does(
            parse => new AdmitToFacilityRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Facility = place.Of(parse),
                CustodianAgency = parse.Text(Agency), AdmittedAt = parse.InstantOrNow(at), Note = parse.Text(Note),
            },
            (calls, request) => calls.Custody.AdmitToFacilityAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, r.Event, r.Replayed));
    }

    private static Command Transfer()
    {
        var at = Calls.At("When the person left");
        var place = new Place("The destination");
        var receiving = new Option<string?>("--receiving-agency") { Description = "The agency that takes the person (its own or another)." };
        var reason = new Option<string?>("--reason") { Description = "Why the person is moved (GC III Art. 46: in their interest)." };
        var overrideReason = new Option<string?>("--override-reason") { Description = "Moves the person without a current fitness for transfer (GC III Art. 47: for safety), recorded with the transfer." };
        return Calls.CaseWrite("transfer", """
            Transfers a held person to another facility (IN_TRANSFER until the receiving custodian confirms the arrival). Custody
            asks medical for a current fitness for transfer (GC III Art. 46-47); unfit or none refuses the transfer unless
            --override-reason says why it cannot wait.
            Example: registryctl custody transfer <case-id> --facility "Camp 2" --locality Lviv --country UA --receiving-agency UA-SBU --reason "capacity" --profile custodian
            """, at, [.. place.Options, receiving, reason, overrideReason]).Does(
            parse => new TransferCustodyRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Destination = place.Of(parse),
                ReceivingAgency = parse.Text(receiving), DepartedAt = parse.InstantOrNow(at), Reason = parse.Text(reason),
                OverrideReason = parse.Text(overrideReason),
            },
            (calls, request) => calls.Custody.TransferCustodyAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, r.Event, r.Replayed));
    }

    private static Command ConfirmArrival()
    {
        var at = Calls.At("When the person arrived");
        return Calls.CaseWrite("confirm-arrival", """
            The receiving custodian confirms that a transferred person arrived: HELD again, at the destination.
            Example: registryctl custody confirm-arrival <case-id> --agency UA-SBU --profile custodian
            """, at, Agency, Note).Does(
            parse => new ConfirmTransferArrivalRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), ReceivingAgency = parse.Text(Agency),
                ArrivedAt = parse.InstantOrNow(at), Note = parse.Text(Note),
            },
            (calls, request) => calls.Custody.ConfirmTransferArrivalAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, r.Event, r.Replayed));
    }

    private static Command Release()
    {
        var at = Calls.At("When the person was released");
        var grounds = new Option<ReleaseGrounds?>("--grounds") { Description = "Why the person is released (Parole, CloseOfHostilities, StatusDetermined, or Other with a --note)." };
        return Calls.CaseWrite("release", """
            Releases a held person (an end of captivity: RELEASED).
            Example: registryctl custody release <case-id> --grounds Other --note "released on parole" --profile custodian
            """, at, grounds, Note).Does(
            parse => new ReleaseFromCustodyRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Grounds = parse.GetValue(grounds) ?? ReleaseGrounds.Unspecified,
                ReleasedAt = parse.InstantOrNow(at), Note = parse.Text(Note),
            },
            (calls, request) => calls.Custody.ReleaseFromCustodyAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, r.Event, r.Replayed));
    }

    /// <summary>A custody timeline as a table: sequence, when, what, where, agency, note.</summary>
    public static Table Timeline(IEnumerable<CustodyEvent> events)
    {
        var table = new Table().AddColumns("#", "when", "what", "where", "agency", "note");
        foreach (var e in events)
        {
            table.Row(e.Sequence.ToString(CultureInfo.InvariantCulture), Output.Time(e.OccurredAt), e.Kind.ToString(), Facility(e.Facility), e.CustodianAgency, e.Note);
        }

        return table;
    }

    /// <summary>A place as one line: name, locality, country.</summary>
    public static string Facility(Facility? facility) =>
        facility is null ? "" : string.Join(", ", new[] { facility.Name, facility.Locality, facility.Country }.Where(s => s.Length > 0));

    /// <summary>The record after a write: its state, place and custodian, the hold, and the event entered (with its note).</summary>
    private static void Recorded(IAnsiConsole console, CustodyRecord record, CustodyEvent? entered, bool replayed)
    {
        console.MarkupLine(Output.Safe($"{record.CaseNumber}: {record.State} since {Output.Time(record.StateSince)}, {Facility(record.Facility)} ({record.CustodianAgency})"
            + (replayed ? " (replayed)" : "")));
        if (record.ReturnRisk != Protos.Custody.V1.ReturnRisk.Unspecified || record.ReturnWish != Protos.Custody.V1.ReturnWish.Unspecified)
        {
            console.MarkupLine(Output.Safe($"risk on return {record.ReturnRisk}, wish {record.ReturnWish}"
                + (record.NonRefoulementHold.Length > 0 ? $"; hold: {record.NonRefoulementHold}" : "; no hold")));
        }

        if (entered is not null)
        {
            console.MarkupLine(Output.Safe($"event {entered.Sequence} {entered.Kind}" + (entered.Note.Length > 0 ? $": {entered.Note}" : "")));
        }
    }
}
