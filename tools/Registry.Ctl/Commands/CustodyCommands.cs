using System.CommandLine;
using Google.Protobuf;
using Registry.Ctl.Cli;
using Registry.Protos.Custody.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

/// <summary><c>registryctl custody admit|transfer|confirm-arrival|release</c>: the custodian's record of where a person is held (GC III Art. 46-48).</summary>
public static class CustodyCommands
{
    public static Command Create()
    {
        var caseId = new Argument<string>("case-id") { Description = "The case's id (a UUID)." };
        var requestId = new Option<string?>("--request-id") { Description = "The idempotency key (a UUID); default: a new one." };
        var facility = new Option<string?>("--facility") { Description = "The facility's name." };
        var locality = new Option<string?>("--locality") { Description = "Its town or place." };
        var country = new Option<string?>("--country") { Description = "Its country, ISO 3166-1 alpha-2." };
        var agency = new Option<string?>("--agency") { Description = "The custodian agency: the caller's own (e.g. UA-SBU)." };
        var at = new Option<string?>("--at") { Description = "When, RFC 3339 with an offset (default: now)." };
        var note = new Option<string?>("--note") { Description = "A note kept with the event." };

        var admit = new Command("admit", """
            Admits a registered person to a facility of the caller's agency: the custody record is HELD and a capture card
            falls due within a week (GC III Art. 70).
            Example: registryctl custody admit <case-id> --facility "SBU detention facility" --locality Kyiv --country UA --agency UA-SBU --profile custodian
            """) { caseId, requestId, facility, locality, country, agency, at, note }.WithConnection();
        admit.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var response = await new CustodyService.CustodyServiceClient(calls.Invoker).AdmitToFacilityAsync(new AdmitToFacilityRequest
            {
                RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString(),
                CaseId = parse.GetValue(caseId)!,
                Facility = new Facility { Name = parse.GetValue(facility) ?? "", Locality = parse.GetValue(locality) ?? "", Country = parse.GetValue(country) ?? "" },
                CustodianAgency = parse.GetValue(agency) ?? "",
                AdmittedAt = RegisterCommand.TimestampOf(parse.GetValue(at), "--at") ?? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                Note = parse.GetValue(note) ?? "",
            }, calls.Options);
            return Print(parse, response, response.Record);
        });

        var receiving = new Option<string?>("--receiving-agency") { Description = "The agency that takes the person (its own or another)." };
        var reason = new Option<string?>("--reason") { Description = "Why the person is moved." };
        var overrideReason = new Option<string?>("--override-reason") { Description = "Moves the person without a current fitness for transfer (GC III Art. 47: for safety), recorded with the transfer." };
        var transfer = new Command("transfer", """
            Transfers a held person to another facility (IN_TRANSFER until the receiving custodian confirms the arrival). Custody
            asks medical for a current fitness for transfer (GC III Art. 46-47); unfit or none refuses the transfer unless
            --override-reason says why it cannot wait.
            Example: registryctl custody transfer <case-id> --facility "Camp 2" --locality Lviv --country UA --receiving-agency UA-SBU --reason "capacity" --profile custodian
            """) { caseId, requestId, facility, locality, country, receiving, at, reason, overrideReason }.WithConnection();
        transfer.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var response = await new CustodyService.CustodyServiceClient(calls.Invoker).TransferCustodyAsync(new TransferCustodyRequest
            {
                RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString(),
                CaseId = parse.GetValue(caseId)!,
                Destination = new Facility { Name = parse.GetValue(facility) ?? "", Locality = parse.GetValue(locality) ?? "", Country = parse.GetValue(country) ?? "" },
                ReceivingAgency = parse.GetValue(receiving) ?? "",
                DepartedAt = RegisterCommand.TimestampOf(parse.GetValue(at), "--at") ?? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                Reason = parse.GetValue(reason) ?? "",
                OverrideReason = parse.GetValue(overrideReason) ?? "",
            }, calls.Options);
            return Print(parse, response, response.Record);
        });

        var arrival = new Command("confirm-arrival", """
            The receiving custodian confirms that a transferred person arrived: HELD again, at the destination.
            Example: registryctl custody confirm-arrival <case-id> --agency UA-SBU --profile custodian
            """) { caseId, requestId, agency, at, note }.WithConnection();
        arrival.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var response = await new CustodyService.CustodyServiceClient(calls.Invoker).ConfirmTransferArrivalAsync(new ConfirmTransferArrivalRequest
            {
                RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString(),
                CaseId = parse.GetValue(caseId)!,
                ReceivingAgency = parse.GetValue(agency) ?? "",
                ArrivedAt = RegisterCommand.TimestampOf(parse.GetValue(at), "--at") ?? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                Note = parse.GetValue(note) ?? "",
            }, calls.Options);
            return Print(parse, response, response.Record);
        });

        var grounds = new Option<ReleaseGrounds?>("--grounds") { Description = "Why the person is released (Parole, CloseOfHostilities, StatusDetermined, or Other with a --note)." };
        var release = new Command("release", """
            Releases a held person (an end of captivity: RELEASED).
            Example: registryctl custody release <case-id> --grounds Other --note "released on parole" --profile custodian
            """) { caseId, requestId, grounds, at, note }.WithConnection();
        release.SetAction(async (parse, ct) =>
        {
            using var calls = await Connection.OpenAsync(parse, ct);
            var response = await new CustodyService.CustodyServiceClient(calls.Invoker).ReleaseFromCustodyAsync(new ReleaseFromCustodyRequest
            {
                RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString(),
                CaseId = parse.GetValue(caseId)!,
                Grounds = parse.GetValue(grounds) ?? ReleaseGrounds.Unspecified,
                ReleasedAt = RegisterCommand.TimestampOf(parse.GetValue(at), "--at") ?? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                Note = parse.GetValue(note) ?? "",
            }, calls.Options);
            return Print(parse, response, response.Record);
        });

        return new Command("custody", "Where a person is held: admission, transfer and arrival, release (the custodian's).") { admit, transfer, arrival, release };
    }

    private static int Print(ParseResult parse, IMessage response, CustodyRecord record)
    {
        Output.Write(parse.GetValue(Connection.OutputFormat), response, console =>
            console.MarkupLine(Output.Safe($"{record.CaseNumber}: {record.State} since {Output.Time(record.StateSince)}, " +
                $"{string.Join(", ", new[] { record.Facility?.Name, record.Facility?.Locality, record.Facility?.Country }.Where(s => !string.IsNullOrEmpty(s)))} ({record.CustodianAgency})")));
        return ExitCodes.Done;
    }
}
