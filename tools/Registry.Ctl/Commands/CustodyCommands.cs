using System.CommandLine;
using System.Globalization;
using Registry.Ctl.Cli;
using Registry.Protos.Custody.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

/// <summary>
/// <c>registryctl custody …</c>: the custodian's record of where a person is held (GC III Art. 46-48, 91-94), interviews
/// (Art. 17) and ICRC visits (Art. 126), the risk on return and the person's wish (Art. 118), the ends of captivity
/// (release, repatriation, transfer to a third state, Art. 12, 109-119), the hash-chained timeline and its check.
/// </summary>
public static class CustodyCommands
{
    private static readonly Option<string?> Agency = new("--agency") { Description = "The custodian agency: the caller's own (e.g. UA-SBU)." };
    private static readonly Option<string?> Note = new("--note") { Description = "A note kept with the event (one line)." };
    private static readonly Option<string?> FitnessOverride = new("--fitness-override-reason")
    {
        Description = "Why it goes ahead without a fit verdict from medical (the person's safety, GC III Art. 47 by Art. 119), recorded with it.",
    };

    public static Command Create() => new("custody", """
        Where a person is held and what happens to them in captivity: admission, transfer and arrival, escape and recapture,
        interviews and ICRC visits, the risk on return and the person's wish, release, repatriation, transfer to a third
        state; the timeline and its hash chain.
        """)
    {
        Admit(), Transfer(), ConfirmArrival(), Release(), Escape(), Recapture(), Interview(), Interviews(), IcrcVisit(), IcrcVisits(),
        ReturnRisk(), ReturnRisks(), ReturnWish(), ReturnWishes(), Repatriate(), ThirdState(), Events(), VerifyChain(),
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
        var grounds = Values.EnumOption<ReleaseGrounds>("--grounds", "Why the person is released (Parole, CloseOfHostilities, StatusDetermined, or Other with a --note).");
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

    private static Command Escape()
    {
        var at = Calls.At("When the person escaped");
        var circumstances = new Option<string?>("--circumstances") { Description = "How the person escaped, as known (one line)." };
        return Calls.CaseWrite("escape", """
            Records an escape (GC III Art. 91-94) of a person held, in transfer, in hospital or awaiting admission: ESCAPED;
            intake notifies the ICRC.
            Example: registryctl custody escape <case-id> --at 2025-03-02T03:00:00Z --circumstances "missing at the morning count" --profile custodian
            """, at, circumstances).Does(
            parse => new RecordEscapeRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), EscapedAt = parse.InstantOrNow(at), Circumstances = parse.Text(circumstances),
            },
            (calls, request) => calls.Custody.RecordEscapeAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, r.Event, r.Replayed));
    }

    private static Command Recapture()
    {
        var at = Calls.At("When the person was recaptured");
        var place = new Place("Where the person is held again");
        return Calls.CaseWrite("recapture", """
            Records the recapture of an escaped person, held again at a facility of the caller's agency (HELD); a new capture
            card falls due (GC III Art. 70).
            Example: registryctl custody recapture <case-id> --facility "SBU detention facility" --locality Kyiv --country UA --agency UA-SBU --profile custodian
            """, at, [.. place.Options, Agency, Note]).Does(
            parse => new RecordRecaptureRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), RecapturedAt = parse.InstantOrNow(at), Facility = place.Of(parse),
                CustodianAgency = parse.Text(Agency), Note = parse.Text(Note),
            },
            (calls, request) => calls.Custody.RecordRecaptureAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, r.Event, r.Replayed));
    }

    private const string ParticipantForm = "name|agency|function";

    private static Command Interview()
    {
        var at = Calls.At("When the interview began");
        var place = new Place("Where it took place (a facility, or e.g. \"SBU office\")");
        var duration = new Option<int>("--minutes") { Description = "How long it lasted, 1 to 720 whole minutes." };
        var interviewingAgency = new Option<string?>("--interviewing-agency") { Description = "The agency that conducted it, e.g. UA-SBU." };
        var interviewer = new Option<string?>("--interviewer") { Description = "Who conducted it: a name or a service reference." };
        var language = new Option<string?>("--language") { Description = "The language it was held in, a BCP 47 tag, e.g. ko." };
        var interpreter = new Option<string?>("--interpreter") { Description = "The interpreter, when one was used: \"name|agency\" or \"name|agency|function\"." };
        var present = new Option<string[]>("--present")
        {
            Description = "Someone else present, as \"name|agency|function\" (all three required, e.g. \"liaison officer|KR-NIS|observer\"); repeat it for each (at most 20).",
        };
        var overrideReason = new Option<string?>("--override-reason") { Description = "Why it went ahead without a fit verdict from medical (recorded with it)." };
        return Calls.CaseWrite("interview", """
            Records that a person was interviewed (GC III Art. 17): when, where, how long, by whom, in which language, through
            which interpreter and in whose presence; never what was said. Custody asks medical whether the person was fit for
            interview then: unfit or no assessment refuses it unless --override-reason says why.
            Those present are given one --present each, as "name|agency|function"; the interpreter as "name|agency[|function]".
            A value in another form is refused before anything is sent (exit 2).
            Example: registryctl custody interview <case-id> --at 2025-01-29T08:00:00Z --minutes 90 --facility "SBU detention facility" \
                       --locality Kyiv --country UA --interviewing-agency UA-SBU --interviewer "SBU investigator 12" --language ko \
                       --interpreter "interpreter KO-3|UA-SBU|Korean interpreter" --present "liaison officer|KR-NIS|observer" --profile custodian
            """, at, [.. place.Options, duration, interviewingAgency, interviewer, language, interpreter, present, overrideReason]).Does(
            parse => new RecordInterviewRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), StartedAt = parse.InstantOrNow(at), DurationMinutes = parse.GetValue(duration),
                Place = place.Of(parse), InterviewingAgency = parse.Text(interviewingAgency), Interviewer = parse.Text(interviewer), Language = parse.Text(language),
                Interpreter = parse.GetValue(interpreter) is { } i ? Participant(i, interpreter.Name, required: 2) : null,
                Present = { (parse.GetValue(present) ?? []).Select(p => Participant(p, present.Name, required: 3)) },
                OverrideReason = parse.Text(overrideReason),
            },
            (calls, request) => calls.Custody.RecordInterviewAsync(request, calls.Options).ResponseAsync,
            (console, r) =>
            {
                var i = r.Interview;
                console.Write(Output.Facts(("interview", i.InterviewId + (r.Replayed ? " (replayed)" : "")), ("began", Output.Time(i.StartedAt)),
                    ("minutes", i.DurationMinutes.ToString(CultureInfo.InvariantCulture)), ("place", Facility(i.Place)),
                    ("by", $"{i.Interviewer} ({i.InterviewingAgency})"), ("language", i.Language), ("interpreter", Describe(i.Interpreter)),
                    ("present", string.Join("; ", i.Present.Select(Describe))), ("fitness", i.Fitness)));
            });
    }

    private static InterviewParticipant Participant(string value, string option, int required)
    {
        var fields = Values.Fields(value, option, ParticipantForm, required);
        return new InterviewParticipant { Name = fields[0], Agency = fields[1], Function = fields[2] };
    }

    private static string Describe(InterviewParticipant? p) =>
        p is null ? "" : $"{p.Name} ({p.Agency}{(p.Function.Length > 0 ? ", " + p.Function : "")})";

    private static Command Interviews()
    {
        var paging = new Paging("Interviews", 50);
        return Calls.CaseRead("interviews", """
            A case's interviews, the latest first: when, where, who, the language, the interpreter and those present, and
            medical's fitness answer (a partner sees only those its agency took part in).
            Example: registryctl custody interviews <case-id> --profile custodian
            """, paging.Options).Does(
            parse => new ListInterviewsRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Custody.ListInterviewsAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Interviews, "interview(s)", page.NextPageToken, ["began", "min", "place", "by", "language", "interpreter", "present", "fitness"],
                i => [Output.Time(i.StartedAt), i.DurationMinutes.ToString(CultureInfo.InvariantCulture), Facility(i.Place),
                    $"{i.Interviewer} ({i.InterviewingAgency})", i.Language, Describe(i.Interpreter), string.Join("; ", i.Present.Select(Describe)), i.Fitness]));
    }

    private static Command IcrcVisit()
    {
        var caseIds = new Argument<string[]>("case-id") { Description = "The persons interviewed in private: their case ids (1 to 200).", Arity = ArgumentArity.OneOrMore };
        var at = Calls.At("When the visit took place");
        var place = new Place("The place of internment visited");
        var agency = new Option<string?>("--agency") { Description = "The visiting delegation: the caller's own agency, e.g. ICRC." };
        var delegates = new Option<string[]>("--delegate") { Description = "A delegate's name; repeat it for each (1 to 20)." };
        return new Command("icrc-visit", """
            Records a visit of ICRC delegates to a place of internment and the persons they interviewed in private (GC III
            Art. 126): that each interview took place, never what was said. The ICRC delegate's.
            Example: registryctl custody icrc-visit <case-id> <case-id> --agency ICRC --at 2025-02-05T09:00:00Z --facility "SBU detention facility" \
                       --locality Kyiv --country UA --delegate "ICRC delegate A" --delegate "ICRC delegate B" --profile icrc
            """) { caseIds, Calls.RequestId, at }.With([.. place.Options, agency, delegates]).WithConnection().Does(
            parse => new RecordIcrcVisitRequest
            {
                RequestId = Calls.RequestIdOf(parse), VisitingAgency = parse.Text(agency), VisitedAt = parse.InstantOrNow(at), Facility = place.Of(parse),
                Delegates = { parse.GetValue(delegates) ?? [] }, CaseIds = { parse.GetValue(caseIds)! },
            },
            (calls, request) => calls.Custody.RecordIcrcVisitAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.Write(Output.Facts(("visit", r.Visit.VisitId + (r.Replayed ? " (replayed)" : "")), ("when", Output.Time(r.Visit.VisitedAt)),
                ("where", Facility(r.Visit.Facility)), ("by", $"{string.Join(", ", r.Visit.Delegates)} ({r.Visit.VisitingAgency})"),
                ("interviewed in private", string.Join(" ", r.Visit.CaseIds)))));
    }

    private static Command IcrcVisits()
    {
        var paging = new Paging("Visits", 50);
        return Calls.CaseRead("icrc-visits", """
            The ICRC visits in which a case was interviewed in private (GC III Art. 126), the latest first.
            Example: registryctl custody icrc-visits <case-id> --profile icrc
            """, paging.Options).Does(
            parse => new ListIcrcVisitsRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Custody.ListIcrcVisitsAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Visits, "visit(s)", page.NextPageToken, ["when", "where", "agency", "delegates", "persons interviewed"],
                v => [Output.Time(v.VisitedAt), Facility(v.Facility), v.VisitingAgency, string.Join(", ", v.Delegates),
                    v.CaseIds.Count.ToString(CultureInfo.InvariantCulture)]));
    }

    private static Command ReturnRisk()
    {
        var at = Calls.At("When the risk was assessed");
        var level = Values.EnumOption<ReturnRisk>("--level", "The risk on return: None, Low, High or Undetermined.");
        var grounds = new Option<string?>("--grounds") { Description = "Why it is assessed so (sources, the person's situation); required for every level, one line." };
        var by = new Option<string?>("--assessed-by") { Description = "The assessor's name and function, e.g. \"legal adviser, POW coordination HQ\"." };
        return Calls.CaseWrite("return-risk", """
            Records a non-refoulement risk assessment (GC III Art. 118; ICRC Commentary 2020): the latest stands on the record,
            and while it is High or Undetermined (or none, or no wish recorded) the person is held back from repatriation,
            exchange and transfer to a third state. The coordinator's.
            Example: registryctl custody return-risk <case-id> --level High --grounds "ordered to kill himself rather than be captured" --assessed-by "legal adviser" --profile coordinator
            """, at, level, grounds, by).Does(
            parse => new AssessReturnRiskRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Level = parse.GetValue(level) ?? Protos.Custody.V1.ReturnRisk.Unspecified,
                Grounds = parse.Text(grounds), AssessedAt = parse.InstantOrNow(at), AssessedBy = parse.Text(by),
            },
            (calls, request) => calls.Custody.AssessReturnRiskAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, null, r.Replayed));
    }

    private static Command ReturnRisks()
    {
        var paging = new Paging("Assessments", 50);
        return Calls.CaseRead("return-risks", """
            A case's risk assessments on return, the latest assessed first.
            Example: registryctl custody return-risks <case-id> --profile coordinator
            """, paging.Options).Does(
            parse => new ListReturnRiskAssessmentsRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Custody.ListReturnRiskAssessmentsAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Assessments, "assessment(s)", page.NextPageToken, ["assessed", "level", "grounds", "by", "agency"],
                a => [Output.Time(a.AssessedAt), a.Level.ToString(), a.Grounds, a.AssessedBy, a.AssessedByAgency]));
    }

    private static Command ReturnWish()
    {
        var at = Calls.At("When the private interview took place");
        var wish = Values.EnumOption<ReturnWish>("--wish", "WishesToReturn or DoesNotWishToReturn.");
        var by = new Option<string?>("--taken-by") { Description = "Who took it, name and function, e.g. \"ICRC delegate A. Keller\"." };
        var note = new Option<string?>("--note") { Description = "The interview's circumstances (place, language, interpreter); never the person's own words." };
        return Calls.CaseWrite("return-wish", """
            Records the person's own wish about return, taken in a private interview (GC III Art. 126: without witnesses):
            only the wish and the circumstances, never what the person said. The coordinator's or the ICRC delegate's.
            Example: registryctl custody return-wish <case-id> --wish DoesNotWishToReturn --taken-by "ICRC delegate A" --profile icrc
            """, at, wish, by, note).Does(
            parse => new RecordReturnWishRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Wish = parse.GetValue(wish) ?? Protos.Custody.V1.ReturnWish.Unspecified,
                TakenAt = parse.InstantOrNow(at), TakenBy = parse.Text(by), Note = parse.Text(note),
            },
            (calls, request) => calls.Custody.RecordReturnWishAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, null, r.Replayed));
    }

    private static Command ReturnWishes()
    {
        var paging = new Paging("Wishes", 50);
        return Calls.CaseRead("return-wishes", """
            A case's recorded wishes about return, the latest taken first.
            Example: registryctl custody return-wishes <case-id> --profile icrc
            """, paging.Options).Does(
            parse => new ListReturnWishesRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Custody.ListReturnWishesAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Wishes, "wish(es)", page.NextPageToken, ["taken", "wish", "by", "agency", "note"],
                w => [Output.Time(w.TakenAt), w.Wish.ToString(), w.TakenBy, w.TakenByAgency, w.Note]));
    }

    private static Command Repatriate()
    {
        var at = Calls.At("When the person was handed over");
        var toState = new Option<string?>("--to-state") { Description = "The power on which the person depends, ISO 3166-1 alpha-2, e.g. KP." };
        var via = new Option<string?>("--via") { Description = "How, e.g. \"through the ICRC at the border crossing\"." };
        return Calls.CaseWrite("repatriate", """
            Records the person's repatriation (GC III Art. 109-119): REPATRIATED, an end of captivity. Refused while the
            non-refoulement hold stands (the risk on return, Art. 118) and, as for a transfer, without a current fitness for
            repatriation unless --fitness-override-reason says why. The coordinator's.
            Example: registryctl custody repatriate <case-id> --to-state KP --via "through the ICRC" --profile coordinator
            """, at, toState, via, Note, FitnessOverride).Does(
            parse => new RequestRepatriationRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), RepatriatedAt = parse.InstantOrNow(at), ToState = parse.Text(toState),
                Via = parse.Text(via), Note = parse.Text(Note), FitnessOverrideReason = parse.Text(FitnessOverride),
            },
            (calls, request) => calls.Custody.RequestRepatriationAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, r.Event, r.Replayed));
    }

    private static Command ThirdState()
    {
        var at = Calls.At("When the person was handed over");
        var state = new Option<string?>("--receiving-state") { Description = "The receiving state, ISO 3166-1 alpha-2." };
        var place = new Place("The receiving place");
        var authority = new Option<string?>("--receiving-authority") { Description = "The receiving state's authority that takes custody." };
        var party = new Option<bool>("--party-to-convention") { Description = "The receiving state is a party to the Convention (required by Art. 12(2))." };
        var willingness = new Option<string?>("--willingness-and-ability") { Description = "How its willingness and ability to apply the Convention was ascertained." };
        var assuredBy = new Option<string?>("--assured-by") { Description = "Who gave or verified the assurance, e.g. \"Ministry of Foreign Affairs, note verbale 12/2025\"." };
        var assuredAt = new Option<string?>("--assured-at") { Description = "When the assurance was given, RFC 3339 (not after --at)." };
        return Calls.CaseWrite("third-state", """
            Records the person's transfer to another state party to the Convention (GC III Art. 12(2)) with the assurance it
            rests on: TRANSFERRED_TO_THIRD_STATE, an end of captivity. Refused while the non-refoulement hold stands, when
            the assurance lacks a part, and without a current fitness for transfer unless --fitness-override-reason says why.
            Example: registryctl custody third-state <case-id> --receiving-state KR --receiving-authority "Ministry of Justice" --facility "Reception centre" \
                       --party-to-convention --willingness-and-ability "bilateral agreement of 2025" --assured-by "MFA note 12/2025" \
                       --assured-at 2025-03-01T00:00:00Z --profile coordinator
            """, at, [state, .. place.Options, authority, party, willingness, assuredBy, assuredAt, Note, FitnessOverride]).Does(
            parse => new TransferToThirdStateRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), ReceivingState = parse.Text(state), ReceivingPlace = place.Of(parse),
                ReceivingAuthority = parse.Text(authority), TransferredAt = parse.InstantOrNow(at),
                Assurance = new ThirdStateAssurance
                {
                    PartyToConvention = parse.GetValue(party), WillingnessAndAbility = parse.Text(willingness), AssuredBy = parse.Text(assuredBy),
                    AssuredAt = parse.Instant(assuredAt),
                },
                Note = parse.Text(Note), FitnessOverrideReason = parse.Text(FitnessOverride),
            },
            (calls, request) => calls.Custody.TransferToThirdStateAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r.Record, r.Event, r.Replayed));
    }

    private static Command Events()
    {
        var paging = new Paging("Events", 100);
        return Calls.CaseRead("events", """
            A case's custody timeline, oldest first: each event with when, what, where, the agency and its note (each chained
            to the one before by its hash; see verify-chain).
            Example: registryctl custody events <case-id> --profile coordinator
            """, paging.Options).Does(
            parse => new ListCustodyEventsRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Custody.ListCustodyEventsAsync(request, calls.Options).ResponseAsync,
            (console, page) =>
            {
                console.Write(Timeline(page.Events));
                console.MarkupLine(Paging.Footer(page.Events.Count, "event(s)", page.NextPageToken));
            });
    }

    private static Command VerifyChain() => Calls.CaseRead("verify-chain", """
        Recomputes a case's hash chain from its stored timeline: intact, or the first broken event and why (an event altered,
        missing or added outside the timeline). Exit 0 when intact, 3 when broken.
        Example: registryctl custody verify-chain <case-id> --profile auditor
        """).Does(
        parse => new VerifyCustodyChainRequest { CaseId = Calls.CaseIdOf(parse) },
        (calls, request) => calls.Custody.VerifyCustodyChainAsync(request, calls.Options).ResponseAsync,
        (console, r) => console.Write(Output.Facts(("intact", r.Intact ? "yes" : "NO"), ("events checked", r.EventCount.ToString(CultureInfo.InvariantCulture)),
            ("head hash", r.HeadHash), ("head is the record's", r.HeadMatchesRecord ? "yes" : "no"),
            ("first break", r.FirstBreak is { } b ? $"event {b.Sequence}: {b.Reason}{(b.Field == "" ? "" : $" ({b.Field})")}: {b.Detail}" : ""))),
        r => r.Intact ? ExitCodes.Done : ExitCodes.Refused);

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
