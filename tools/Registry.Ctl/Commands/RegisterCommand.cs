using System.CommandLine;
using System.Globalization;
using Registry.Ctl.Cli;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary><c>registryctl register</c>: one capture, from flags or a JSON file, as the intake officer of the capturing agency.</summary>
public static class RegisterCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo?>("--file") { Description = "A RegisterCaptureRequest as JSON (the protobuf JSON mapping, as POST /v1/cases:register takes it); the flags below then stay unset." };
        var family = new Option<string?>("--family-name") { Description = "Family name as the person writes it (any script)." };
        var given = new Option<string?>("--given-names") { Description = "Given names as the person writes them." };
        var familyLatin = new Option<string?>("--family-name-latin") { Description = "Family name in Latin letters, as a document gives it." };
        var givenLatin = new Option<string?>("--given-names-latin") { Description = "Given names in Latin letters." };
        var born = new Option<string?>("--born") { Description = "Date of birth: YYYY, YYYY-MM or YYYY-MM-DD." };
        var nationality = new Option<string?>("--nationality") { Description = "ISO 3166-1 alpha-2, e.g. KP." };
        var rank = new Option<string?>("--rank") { Description = "Rank (GC III Art. 17)." };
        var serviceNumber = new Option<string?>("--service-number") { Description = "Army, regimental, personal or serial number (Art. 17)." };
        var unit = new Option<string?>("--military-unit") { Description = "The person's unit." };
        var languages = new Option<string[]>("--language") { Description = "A language the person speaks (ISO 639-1, e.g. ko); repeatable.", AllowMultipleArgumentsPerToken = true };
        var capturedAt = new Option<string?>("--captured-at") { Description = "When, RFC 3339 with an offset, e.g. 2025-01-11T06:30:00Z." };
        var place = new Option<string?>("--place") { Description = "Where the person was captured." };
        var capturingUnit = new Option<string?>("--capturing-unit") { Description = "The unit that captured the person." };
        var agency = new Option<string?>("--agency") { Description = "The capturing agency: the caller's own (e.g. UA-SSO)." };
        var circumstances = new Option<string?>("--circumstances") { Description = "How the capture happened." };
        var status = Values.EnumOption<StatusCategory>("--status", "PrisonerOfWar, PendingDetermination (default: in doubt, protected as a POW until a tribunal decides, Art. 5), CivilianInternee or Other.");
        var source = Values.EnumOption<SourceKind>("--source", "Where the identity facts come from: StatedByPerson, Document or ThirdParty.");
        var documentType = new Option<string?>("--document-type") { Description = "With --source Document: e.g. military identity card." };
        var documentNumber = new Option<string?>("--document-number") { Description = "With --source Document: its number." };
        var command = new Command("register", """
            Registers one captured person (RegisterCapture), as the intake officer of the capturing agency: the case opened (or,
            for a request id seen before, the first result again) and the earlier cases that may be the same person.
            Example: registryctl register --family-name 리 --given-names 정혁 --born 2005 --nationality KP --language ko \
                       --captured-at 2025-01-11T06:30:00Z --place "Kursk region" --capturing-unit "Special Operations Forces" \
                       --agency UA-SSO --source StatedByPerson --profile intake
                     registryctl register --file capture.json --profile intake
            """)
        {
            file, Calls.RequestId, family, given, familyLatin, givenLatin, born, nationality, rank, serviceNumber, unit, languages,
            capturedAt, place, capturingUnit, agency, circumstances, status, source, documentType, documentNumber,
        }.WithConnection();

        command.SetAction(async (parse, ct) =>
        {
            RegisterCaptureRequest request;
            if (parse.GetValue(file) is { } json)
            {
                // A flag beside the file would be silently dropped: say so instead.
                var alongside = new Option[] { family, given, familyLatin, givenLatin, born, nationality, rank, serviceNumber, unit, languages,
                    capturedAt, place, capturingUnit, agency, circumstances, status, source, documentType, documentNumber }
                    .Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (alongside.Count > 0)
                {
                    throw new UsageException($"--file gives the whole request: put {string.Join(", ", alongside)} in the file instead.");
                }

                request = Values.JsonFile<RegisterCaptureRequest>(json);
            }
            else
            {
                request = new RegisterCaptureRequest
                {
                    Identity = new Identity
                    {
                        FamilyName = parse.GetValue(family) ?? "",
                        GivenNames = parse.GetValue(given) ?? "",
                        FamilyNameLatin = parse.GetValue(familyLatin) ?? "",
                        GivenNamesLatin = parse.GetValue(givenLatin) ?? "",
                        DateOfBirth = Values.PartialDate(parse.GetValue(born), "--born"),
                        Nationality = parse.GetValue(nationality) ?? "",
                        Rank = parse.GetValue(rank) ?? "",
                        ServiceNumber = parse.GetValue(serviceNumber) ?? "",
                        MilitaryUnit = parse.GetValue(unit) ?? "",
                        Languages = { parse.GetValue(languages) ?? [] },
                    },
                    Capture = new CaptureEvent
                    {
                        CapturedAt = parse.Instant(capturedAt),
                        Place = parse.GetValue(place) ?? "",
                        CapturingUnit = parse.GetValue(capturingUnit) ?? "",
                        CapturingAgency = parse.GetValue(agency) ?? "",
                        Circumstances = parse.GetValue(circumstances) ?? "",
                    },
                    StatusCategory = parse.GetValue(status) ?? StatusCategory.Unspecified,
                };
                if (parse.GetValue(source) is { } kind)
                {
                    request.IdentitySource = new AssertionSource
                    {
                        Kind = kind,
                        DocumentType = parse.GetValue(documentType) ?? "",
                        DocumentNumber = parse.GetValue(documentNumber) ?? "",
                    };
                }
            }

            if (parse.GetValue(Calls.RequestId) is { } id)
            {
                request.RequestId = id;
            }
            else if (request.RequestId.Length == 0)
            {
                request.RequestId = Guid.NewGuid().ToString();
            }

            using var calls = await Connection.OpenAsync(parse, ct);
            var response = await new IntakeService.IntakeServiceClient(calls.Invoker).RegisterCaptureAsync(request, calls.Options);
            Output.Write(parse.GetValue(Connection.OutputFormat), response, console =>
            {
                var c = response.Case;
                console.MarkupLine($"{(response.Replayed ? "replayed" : "registered")} {Output.Safe(c.CaseNumber)}  {Output.Safe(c.CaseId)}  {Output.Safe(CaseCommands.Name(c.Identity))} (request id {Output.Safe(request.RequestId)})");
                if (response.DuplicateCandidates.Count > 0)
                {
                    var table = new Table().AddColumns("may be the same person as", "case id", "score", "why");
                    foreach (var d in response.DuplicateCandidates)
                    {
                        table.AddRow(Output.Safe(d.OtherCaseNumber), Output.Safe(d.OtherCaseId), d.Score.ToString("0.0", CultureInfo.InvariantCulture), Output.Safe(string.Join("; ", d.Reasons)));
                    }

                    console.Write(table);
                    console.MarkupLine("a coordinator decides: registryctl duplicates merge|not-duplicate");
                }
            });
            return ExitCodes.Done;
        });
        return command;
    }
}
