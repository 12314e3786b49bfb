using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Registry.Ctl.Cli;
using Registry.Protos.Medical.V1;
using Spectre.Console;

namespace Registry.Ctl.Commands;

/// <summary>
/// <c>registryctl medical …</c>: the summary every role may read, and the medic's record under medical confidentiality:
/// encounters (GC III Art. 30-31), certificates of treatment (Art. 30), fitness for interview, transfer and repatriation
/// (Art. 17, 46-47, 109-117), hospital stays, deaths and enquiries (Art. 120-121), the seriously ill and their weekly
/// reports (Art. 122), a facility's monthly inspections (Art. 31).
/// </summary>
public static class MedicalCommands
{
    private static readonly Option<string?> Place = new("--place") { Description = "Where, e.g. \"SBU detention facility medical unit, Kyiv\"." };
    private static readonly Option<string?> Clinician = new("--clinician") { Description = "Who examined or treated: name and function." };
    private static readonly Option<string?> Notes = new("--notes") { Description = "Clinical notes (the medic's only)." };

    public static Command Create() => new("medical", """
        Health under medical confidentiality: the summary (status and dates, no clinical detail) for every role that may see
        the case (an intake officer: its own agency's captures only); encounters, certificates, fitness, hospital stays, deaths, the seriously ill, inspections for the medic.
        """)
    {
        Summary(), Record(), Encounter(), Encounters(),
        new Command("certificate", "Certificates of treatment (GC III Art. 30): issue one, show it, list a case's, write its PDF.")
        {
            IssueCertificate(), ShowCertificate(), ListCertificates(), CertificatePdf(),
        },
        new Command("fitness", "Fitness for interview, transfer or repatriation (GC III Art. 17, 46-47, 109-117): assess, list, and the one in force.")
        {
            AssessFitness(), ListFitness(), GetFitness(),
        },
        new Command("hospital", "Hospital stays: admit, discharge, list.") { AdmitToHospital(), Discharge(), HospitalStays() },
        new Command("death", "A death with its certificate (GC III Art. 120): record it, show it.") { RecordDeath(), ShowDeath() },
        new Command("enquiry", "Official enquiries into a death or serious injury (GC III Art. 121): open, close, list.") { OpenEnquiry(), CloseEnquiry(), Enquiries() },
        new Command("seriously-ill", "Seriously ill or wounded (GC III Art. 122): mark, unmark (weekly health reports are due while marked).") { Mark(), Unmark() },
        new Command("weekly-report", "Weekly health reports of the seriously ill (GC III Art. 122): record, list.") { RecordWeeklyReport(), WeeklyReports() },
        new Command("inspections", "The monthly inspections of a facility's persons (GC III Art. 31), many at once.") { RecordInspections() },
    };

    private static Command Summary() => Calls.CaseRead("summary", """
        A person's medical summary: status, last examination, next inspection due (GC III Art. 31), hospital, seriously ill
        (Art. 122), death. No clinical detail: every role that may see the case sees this, an intake officer only for its own
        agency's captures (PERMISSION_DENIED otherwise, and for records opened before medical kept the capturing agency).
        Example: registryctl medical summary 0193c1f4-3b8e-7c4a-9d2e-5f6a7b8c9d0e --profile custodian
        """).Does(
        parse => new GetMedicalSummaryRequest { CaseId = Calls.CaseIdOf(parse) },
        (calls, request) => calls.Medical.GetMedicalSummaryAsync(request, calls.Options).ResponseAsync,
        (console, r) => console.Write(new Panel(SummaryFacts(r.Summary)) { Header = new PanelHeader("Medical summary") }));

    private static Table SummaryFacts(MedicalSummary s) => Output.Facts(("case", s.CaseId), ("status", s.Status.ToString()), ("record opened", Output.Time(s.OpenedAt)),
        ("last examined", Output.Time(s.LastExaminedAt)), ("next inspection due", Output.Time(s.ExaminationDueBy)),
        ("in hospital since", Output.Time(s.HospitalisedSince)), ("seriously ill since", Output.Time(s.SeriouslyIllSince)), ("died", Output.Time(s.DiedAt)));

    private static Command Record() => Calls.CaseRead("record", """
        A person's clinical record: the summary and every condition or injury, active ones first, with the ids that
        encounter --resolved and certificate issue --condition take. The medic's.
        Example: registryctl medical record <case-id> --profile medic
        """).Does(
        parse => new GetMedicalRecordRequest { CaseId = Calls.CaseIdOf(parse) },
        (calls, request) => calls.Medical.GetMedicalRecordAsync(request, calls.Options).ResponseAsync,
        (console, r) =>
        {
            console.Write(SummaryFacts(r.Summary));
            console.Write(Conditions(r.Conditions));
        });

    private static Table Conditions(IEnumerable<Condition> conditions)
    {
        var table = new Table().AddColumns("condition id", "kind", "description", "body site", "cause", "severity", "found", "resolved");
        foreach (var c in conditions)
        {
            table.Row(c.ConditionId, c.Kind.ToString(), c.Description, c.BodySite, c.Cause, c.Severity.ToString(), Output.Time(c.FoundAt), Output.Time(c.ResolvedAt));
        }

        return table;
    }

    private const string FindingForm = "kind|description|body site|cause|severity";

    private static Command Encounter()
    {
        var at = Calls.At("When it took place");
        var kind = Values.EnumOption<EncounterKind>("--kind", "IntakeExamination (once per case), Treatment or Inspection (GC III Art. 31).");
        var findings = new Option<string[]>("--finding")
        {
            Description = $"A condition or injury found, as \"{FindingForm}\": kind Injury or Illness and a description required, severity Minor, Moderate or Severe; repeat it for each (at most 20).",
        };
        var resolved = new Option<string[]>("--resolved") { Description = "The id of an active condition found resolved (as medical record lists it); repeatable." };
        return Calls.CaseWrite("encounter", $"""
            Records an encounter: the intake examination, a treatment or a monthly inspection (GC III Art. 30-31), with the
            conditions found (one --finding each, "{FindingForm}") and those found resolved. The next inspection falls due
            30 days after an examination or inspection. A value in another form is refused before anything is sent (exit 2).
            Example: registryctl medical encounter <case-id> --kind IntakeExamination --place "SBU detention facility medical unit, Kyiv" \
                       --clinician "Olena Koval, military surgeon" --finding "Injury|Fragment wounds of the face and jaw|face, jaw|grenade|Severe" --profile medic
            """, at, kind, Place, Clinician, Notes, findings, resolved).Does(
            parse => new RecordEncounterRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Kind = parse.GetValue(kind) ?? EncounterKind.Unspecified,
                OccurredAt = parse.InstantOrNow(at), Place = parse.Text(Place), Clinician = parse.Text(Clinician), Notes = parse.Text(Notes),
                Findings = { (parse.GetValue(findings) ?? []).Select(f => Finding(f, findings.Name)) },
                ResolvedConditionIds = { parse.GetValue(resolved) ?? [] },
            },
            (calls, request) => calls.Medical.RecordEncounterAsync(request, calls.Options).ResponseAsync,
            (console, r) => Recorded(console, r));
    }

    private static ConditionFinding Finding(string value, string option)
    {
        var fields = Values.Fields(value, option, FindingForm, required: 2);
        return new ConditionFinding
        {
            Kind = Values.Enum<ConditionKind>(fields[0], option, value), Description = fields[1], BodySite = fields[2], Cause = fields[3],
            Severity = Values.Enum<Severity>(fields[4], option, value),
        };
    }

    private static void Recorded(IAnsiConsole console, RecordEncounterResponse r)
    {
        var e = r.Encounter;
        console.MarkupLine(Output.Safe($"{e.Kind} {e.EncounterId} at {Output.Time(e.OccurredAt)}, {e.Place}, by {e.Clinician}{(r.Replayed ? " (replayed)" : "")}"));
        if (r.Conditions.Count > 0)
        {
            console.Write(Conditions(r.Conditions));
        }

        console.MarkupLine(Output.Safe($"now {r.Summary.Status}; next inspection due {Output.Time(r.Summary.ExaminationDueBy)}"));
    }

    private static Command Encounters()
    {
        var paging = new Paging("Encounters", 50);
        return Calls.CaseRead("encounters", """
            A case's encounters in the order they took place. The medic's.
            Example: registryctl medical encounters <case-id> --profile medic
            """, paging.Options).Does(
            parse => new ListEncountersRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Medical.ListEncountersAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Encounters, "encounter(s)", page.NextPageToken, ["when", "kind", "place", "clinician", "found", "resolved", "notes", "encounter id"],
                e => [Output.Time(e.OccurredAt), e.Kind.ToString(), e.Place, e.Clinician, e.FoundConditionIds.Count.ToString(CultureInfo.InvariantCulture),
                    e.ResolvedConditionIds.Count.ToString(CultureInfo.InvariantCulture), e.Notes, e.EncounterId]));
    }

    private static readonly Argument<string> CertificateId = new("certificate-id") { Description = "The certificate's id (a UUID, as issue and list print it)." };

    private static Command IssueCertificate()
    {
        var at = Calls.At("When the prisoner asked for it");
        var conditions = new Option<string[]>("--condition") { Description = "A condition of the record whose nature the certificate states (its id, as medical record lists it); repeatable, at most 20." };
        var nature = new Option<string?>("--nature") { Description = "The nature of the illness or injury in the medic's words (with or instead of --condition)." };
        var treatment = new Option<string?>("--treatment") { Description = "The kind of treatment received." };
        var from = new Option<string?>("--from") { Description = "When the treatment began, RFC 3339." };
        var to = new Option<string?>("--to") { Description = "When it ended, RFC 3339 (unset: it goes on)." };
        var medicName = new Option<string?>("--medic-name") { Description = "The issuing medic's name." };
        var medicFunction = new Option<string?>("--medic-function") { Description = "The issuing medic's function, e.g. \"military surgeon\"." };
        var language = new Option<string?>("--language") { Description = "The prisoner's copy's language: en, ko, ru or uk (the registry's copy is English)." };
        return Calls.CaseWrite("issue", """
            Issues a certificate of treatment on the prisoner's request (GC III Art. 30): the nature of the illness or injury,
            the duration and kind of treatment; numbered TC-000001, ... The medic's.
            Example: registryctl medical certificate issue <case-id> --condition <condition-id> --treatment "debridement; fixation of the mandible" \
                       --from 2025-01-12T18:00:00Z --to 2025-01-24T09:00:00Z --place "Main military clinical hospital, Kyiv" \
                       --medic-name "Olena Koval" --medic-function "military surgeon" --language ko --profile medic
            """, at, conditions, nature, treatment, from, to, Place, medicName, medicFunction, language).Does(
            parse => new IssueTreatmentCertificateRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), RequestedAt = parse.InstantOrNow(at),
                ConditionIds = { parse.GetValue(conditions) ?? [] }, Nature = parse.Text(nature), Treatment = parse.Text(treatment),
                TreatmentFrom = parse.Instant(from), TreatmentTo = parse.Instant(to), Place = parse.Text(Place),
                MedicName = parse.Text(medicName), MedicFunction = parse.Text(medicFunction), Language = parse.Text(language),
            },
            (calls, request) => calls.Medical.IssueTreatmentCertificateAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.Write(CertificateFacts(r.Certificate, r.Replayed)));
    }

    private static Table CertificateFacts(TreatmentCertificate c, bool replayed) => Output.Facts(
        ("certificate", $"{c.Number}  {c.CertificateId}{(replayed ? " (replayed)" : "")}"), ("case", $"{c.CaseNumber}  {c.CaseId}"),
        ("name", $"{c.FamilyName} {c.GivenNames}".Trim() + (c.FamilyNameLatin.Length + c.GivenNamesLatin.Length > 0 ? $" ({$"{c.FamilyNameLatin} {c.GivenNamesLatin}".Trim()})" : "")),
        ("requested", Output.Time(c.RequestedAt)),
        ("conditions", string.Join("; ", c.Conditions)), ("nature", c.Nature), ("treatment", c.Treatment),
        ("from", Output.Time(c.TreatmentFrom)), ("to", c.TreatmentTo is null ? "ongoing" : Output.Time(c.TreatmentTo)), ("place", c.Place),
        ("medic", $"{c.MedicName}, {c.MedicFunction} ({c.IssuedByAgency})"), ("issued", Output.Time(c.IssuedAt)), ("language", c.Language));

    private static Command ShowCertificate() => new Command("show", """
        One certificate of treatment's fields. The medic's.
        Example: registryctl medical certificate show <certificate-id> --profile medic
        """) { CertificateId }.WithConnection().Does(
        parse => new GetTreatmentCertificateRequest { CertificateId = parse.GetValue(CertificateId)! },
        (calls, request) => calls.Medical.GetTreatmentCertificateAsync(request, calls.Options).ResponseAsync,
        (console, r) => console.Write(CertificateFacts(r.Certificate, replayed: false)));

    private static Command ListCertificates()
    {
        var paging = new Paging("Certificates", 50);
        return Calls.CaseRead("list", """
            A case's certificates of treatment in the order issued. The medic's.
            Example: registryctl medical certificate list <case-id> --profile medic
            """, paging.Options).Does(
            parse => new ListTreatmentCertificatesRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Medical.ListTreatmentCertificatesAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Certificates, "certificate(s)", page.NextPageToken, ["number", "certificate id", "issued", "treatment", "language", "medic"],
                c => [c.Number, c.CertificateId, Output.Time(c.IssuedAt), c.Treatment, c.Language, c.MedicName]));
    }

    private static Command CertificatePdf()
    {
        var file = new Option<FileInfo?>("--file") { Description = "Where to write the PDF (default: its file name, e.g. TC-000001.pdf, in the current folder)." };
        return new Command("pdf", """
            Writes a certificate of treatment as a PDF: the prisoner's copy in the certificate's language, then the registry's
            copy in English. With --output json, the answer without its content (which is in the file). The medic's.
            Example: registryctl medical certificate pdf <certificate-id> --file TC-000001.pdf --profile medic
            """) { CertificateId, file }.WithConnection().Does(
            parse => (Request: new RenderTreatmentCertificateRequest { CertificateId = parse.GetValue(CertificateId)! }, File: Writable(parse.GetValue(file))),
            async (calls, asked) =>
            {
                var pdf = await calls.Medical.RenderTreatmentCertificateAsync(asked.Request, calls.Options);
                var path = asked.File?.FullName ?? Path.GetFullPath(Path.GetFileName(pdf.FileName));
                await File.WriteAllBytesAsync(path, pdf.Content.ToByteArray());
                pdf.FileName = path;
                pdf.Content = ByteString.Empty;
                return pdf;
            },
            (console, r) => console.MarkupLine(Output.Safe($"wrote {r.FileName}")));
    }

    /// <summary>A file the command may write: its folder exists (checked before the call).</summary>
    private static FileInfo? Writable(FileInfo? file) =>
        file is null || file.Directory is { Exists: true } ? file : throw new UsageException($"--file: no folder {file.DirectoryName}.");

    private static Command AssessFitness()
    {
        var at = Calls.At("When the medic assessed");
        var purpose = Values.EnumOption<FitnessPurpose>("--purpose", "Interview (GC III Art. 17), Transfer (Art. 46-47) or Repatriation (Art. 109-117).");
        var outcome = Values.EnumOption<FitnessOutcome>("--outcome", "Fit, FitWithConditions (with --conditions) or Unfit.");
        var conditions = new Option<string?>("--conditions") { Description = "The practical restrictions custody must follow (not clinical; custody reads them); only with FitWithConditions." };
        var reasons = new Option<string?>("--reasons") { Description = "Why (clinical, returned to the medic role only); required unless Fit." };
        var validUntil = new Option<string?>("--valid-until") { Description = "When it stops being in force, RFC 3339: after --at, at most 90 days after it." };
        var by = new Option<string?>("--assessed-by") { Description = "The assessing medic: name and function." };
        return Calls.CaseWrite("assess", """
            Records a medic's assessment of fitness for interview, transfer or repatriation; it supersedes earlier ones for the
            same purpose and is what custody asks before an interview, a transfer or a repatriation. The medic's.
            Example: registryctl medical fitness assess <case-id> --purpose Transfer --outcome Fit --at 2025-02-10T09:00:00Z \
                       --valid-until 2025-03-10T09:00:00Z --assessed-by "Olena Koval, military surgeon" --profile medic
            """, at, purpose, outcome, conditions, reasons, validUntil, by).Does(
            parse => new AssessFitnessRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Purpose = parse.GetValue(purpose) ?? FitnessPurpose.Unspecified,
                Outcome = parse.GetValue(outcome) ?? FitnessOutcome.Unspecified, Conditions = parse.Text(conditions), ClinicalReasons = parse.Text(reasons),
                AssessedAt = parse.InstantOrNow(at), ValidUntil = parse.Instant(validUntil), AssessedBy = parse.Text(by),
            },
            (calls, request) => calls.Medical.AssessFitnessAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.Write(FitnessFacts(r.Assessment, r.Replayed)));
    }

    private static Table FitnessFacts(FitnessAssessment a, bool replayed) => Output.Facts(
        ("assessment", a.AssessmentId + (replayed ? " (replayed)" : "")), ("purpose", a.Purpose.ToString()), ("outcome", a.Outcome.ToString()),
        ("conditions", a.Conditions), ("reasons", a.ClinicalReasons), ("assessed", $"{Output.Time(a.AssessedAt)} by {a.AssessedBy} ({a.AssessedByAgency})"),
        ("valid until", Output.Time(a.ValidUntil)));

    private static readonly Option<FitnessPurpose?> OnlyPurpose = new("--purpose") { Description = "Interview, Transfer or Repatriation." };

    private static Command ListFitness()
    {
        var paging = new Paging("Assessments", 50);
        return Calls.CaseRead("list", """
            A case's fitness assessments, newest first, optionally of one purpose (the clinical reasons are the medic's only).
            Example: registryctl medical fitness list <case-id> --purpose Interview --profile custodian
            """, [OnlyPurpose, .. paging.Options]).Does(
            parse => new ListFitnessAssessmentsRequest
            {
                CaseId = Calls.CaseIdOf(parse), Purpose = parse.GetValue(OnlyPurpose) ?? FitnessPurpose.Unspecified, PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse),
            },
            (calls, request) => calls.Medical.ListFitnessAssessmentsAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Assessments, "assessment(s)", page.NextPageToken, ["assessed", "purpose", "outcome", "valid until", "conditions", "by", "reasons"],
                a => [Output.Time(a.AssessedAt), a.Purpose.ToString(), a.Outcome.ToString(), Output.Time(a.ValidUntil), a.Conditions,
                    $"{a.AssessedBy} ({a.AssessedByAgency})", a.ClinicalReasons]));
    }

    private static Command GetFitness()
    {
        var at = new Option<string?>("--at") { Description = "The instant asked about, RFC 3339 (default: now; may be past or future)." };
        return Calls.CaseRead("get", """
            The fitness for a purpose in force at an instant, as custody asks before an interview, a transfer or a
            repatriation: the assessment in force, or none (never assessed, expired, or the person died).
            Example: registryctl medical fitness get <case-id> --purpose Transfer --profile custodian
            """, OnlyPurpose, at).Does(
            parse => new GetFitnessRequest { CaseId = Calls.CaseIdOf(parse), Purpose = parse.GetValue(OnlyPurpose) ?? FitnessPurpose.Unspecified, At = parse.Instant(at) },
            (calls, request) => calls.Medical.GetFitnessAsync(request, calls.Options).ResponseAsync,
            (console, r) =>
            {
                console.MarkupLine(Output.Safe($"fitness for {r.Purpose} at {Output.Time(r.At)}: {r.Standing}"
                    + (r.ExpiredAt is { } expired ? $" (the latest expired {Output.Time(expired)})" : "")
                    + (r.DiedAt is { } died ? $" (died {Output.Time(died)})" : "")
                    + (r.MergedIntoCaseId.Length > 0 ? $" (merged into {r.MergedIntoCaseId}: ask about that case)" : "")));
                if (r.Assessment is { } a)
                {
                    console.Write(FitnessFacts(a, replayed: false));
                }
            });
    }

    private static Command AdmitToHospital()
    {
        var at = Calls.At("When the patient was admitted");
        var hospital = new Option<string?>("--hospital") { Description = "The hospital's name, e.g. \"Main military clinical hospital\"." };
        var locality = new Option<string?>("--locality") { Description = "Its town or city." };
        var country = new Option<string?>("--country") { Description = "Its country, ISO 3166-1 alpha-2, e.g. UA." };
        var reason = new Option<string?>("--reason") { Description = "Why (clinical, the medic's only)." };
        return Calls.CaseWrite("admit", """
            Admits a patient to hospital: HOSPITALISED from --at; custody follows, and intake owes a capture card for the
            hospitalisation (GC III Art. 70). The medic's.
            Example: registryctl medical hospital admit <case-id> --hospital "Main military clinical hospital" --locality Kyiv --country UA --reason "fixation of the mandible" --profile medic
            """, at, hospital, locality, country, reason).Does(
            parse => new AdmitToHospitalRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), AdmittedAt = parse.InstantOrNow(at), Reason = parse.Text(reason),
                Hospital = new Hospital { Name = parse.Text(hospital), Locality = parse.Text(locality), Country = parse.Text(country) },
            },
            (calls, request) => calls.Medical.AdmitToHospitalAsync(request, calls.Options).ResponseAsync,
            (console, r) => Stayed(console, r.Stay, r.Summary, r.Replayed));
    }

    private static Command Discharge()
    {
        var at = Calls.At("When the patient was discharged");
        var outcome = Values.EnumOption<DischargeOutcome>("--outcome", "Recovered, Improved, Unchanged or Transferred (to another hospital: admit there next).");
        return Calls.CaseWrite("discharge", """
            Ends the case's open hospital stay. The medic's.
            Example: registryctl medical hospital discharge <case-id> --outcome Improved --notes "soft diet for four weeks" --profile medic
            """, at, outcome, Notes).Does(
            parse => new DischargeFromHospitalRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), DischargedAt = parse.InstantOrNow(at),
                Outcome = parse.GetValue(outcome) ?? DischargeOutcome.Unspecified, Notes = parse.Text(Notes),
            },
            (calls, request) => calls.Medical.DischargeFromHospitalAsync(request, calls.Options).ResponseAsync,
            (console, r) => Stayed(console, r.Stay, r.Summary, r.Replayed));
    }

    private static void Stayed(IAnsiConsole console, HospitalStay stay, MedicalSummary summary, bool replayed) =>
        console.MarkupLine(Output.Safe($"{Stay(stay)}; now {summary.Status}{(replayed ? " (replayed)" : "")}"));

    private static string Stay(HospitalStay s) =>
        $"{s.Hospital?.Name}, {s.Hospital?.Locality} from {Output.Time(s.AdmittedAt)}" + (s.DischargedAt is null ? " (in hospital)" : $" to {Output.Time(s.DischargedAt)} ({s.Outcome})");

    private static Command HospitalStays()
    {
        var paging = new Paging("Stays", 50);
        return Calls.CaseRead("list", """
            A case's hospital stays in the order of admission. The medic's.
            Example: registryctl medical hospital list <case-id> --profile medic
            """, paging.Options).Does(
            parse => new ListHospitalStaysRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Medical.ListHospitalStaysAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Stays, "stay(s)", page.NextPageToken, ["stay", "reason", "notes", "stay id"],
                s => [Stay(s), s.Reason, s.DischargeNotes, s.StayId]));
    }

    private static Command RecordDeath()
    {
        var at = Calls.At("When the person died");
        var cause = new Option<string?>("--cause") { Description = "The cause as on the death certificate." };
        var manner = Values.EnumOption<DeathManner>("--manner", "Natural, Illness, Wounds, Accident, Suicide, CausedByGuard, CausedByAnotherPrisoner, CausedByOtherPerson or Unknown (the last four open an enquiry, Art. 121).");
        var number = new Option<string?>("--certificate-number") { Description = "The death certificate's number." };
        var issuedBy = new Option<string?>("--certificate-issued-by") { Description = "The certifying doctor or authority, name and function." };
        var issuedAt = new Option<string?>("--certificate-issued-at") { Description = "When the certificate was issued, RFC 3339 (default: now)." };
        return Calls.CaseWrite("record", """
            Records a death with its certificate (GC III Art. 120): DECEASED, final; an open hospital stay ends; a death of
            unknown cause, or caused by a guard or another person, opens an enquiry (Art. 121). The medic's.
            Example: registryctl medical death record <case-id> --at 2025-03-01T04:00:00Z --place "Main military clinical hospital, Kyiv" \
                       --cause "sepsis" --manner Wounds --certificate-number "DC-2025-114" --certificate-issued-by "Olena Koval, military surgeon" --profile medic
            """, at, Place, cause, manner, number, issuedBy, issuedAt).Does(
            parse => new RecordDeathRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), DiedAt = parse.InstantOrNow(at), Place = parse.Text(Place),
                Cause = parse.Text(cause), Manner = parse.GetValue(manner) ?? DeathManner.Unspecified,
                Certificate = new DeathCertificate { Number = parse.Text(number), IssuedBy = parse.Text(issuedBy), IssuedAt = parse.InstantOrNow(issuedAt) },
            },
            (calls, request) => calls.Medical.RecordDeathAsync(request, calls.Options).ResponseAsync,
            (console, r) =>
            {
                console.Write(DeathFacts(r.Death));
                if (r.Enquiry is { } enquiry)
                {
                    console.MarkupLine(Output.Safe($"enquiry opened: {enquiry.Reference} ({enquiry.Grounds})"));
                }
            });
    }

    private static Table DeathFacts(Death d) => Output.Facts(("case", d.CaseId), ("died", Output.Time(d.DiedAt)), ("place", d.Place), ("cause", d.Cause),
        ("manner", d.Manner.ToString()), ("certificate", $"{d.Certificate?.Number}, {d.Certificate?.IssuedBy}, {Output.Time(d.Certificate?.IssuedAt)}"),
        ("certified by", d.CertifiedByAgency), ("enquiry", d.EnquiryId));

    private static Command ShowDeath() => Calls.CaseRead("show", """
        A case's death as certified (NOT_FOUND, exit 5, when none is recorded). The medic's and the coordinator's.
        Example: registryctl medical death show <case-id> --profile coordinator
        """).Does(
        parse => new GetDeathRequest { CaseId = Calls.CaseIdOf(parse) },
        (calls, request) => calls.Medical.GetDeathAsync(request, calls.Options).ResponseAsync,
        (console, r) => console.Write(DeathFacts(r.Death)));

    private static Command OpenEnquiry()
    {
        var at = Calls.At("When the injury (or the act causing the death) happened");
        var grounds = Values.EnumOption<EnquiryGrounds>("--grounds",
            "SeriousInjuryCausedByGuard, SeriousInjuryCausedByAnotherPrisoner, SeriousInjuryCausedByOtherPerson, or once a death is recorded DeathOfUnknownCause, DeathCausedByGuard, ...");
        var circumstances = new Option<string?>("--circumstances") { Description = "What happened, in non-clinical terms." };
        return Calls.CaseWrite("open", """
            Opens an official enquiry into a serious injury or a death caused, or suspected to have been caused, by a guard,
            another prisoner or another person (GC III Art. 121). The medic's or the coordinator's.
            Example: registryctl medical enquiry open <case-id> --grounds SeriousInjuryCausedByGuard --at 2025-02-03T22:00:00Z --circumstances "injured during a search" --profile coordinator
            """, at, grounds, circumstances).Does(
            parse => new OpenEnquiryRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Grounds = parse.GetValue(grounds) ?? EnquiryGrounds.Unspecified,
                OccurredAt = parse.InstantOrNow(at), Circumstances = parse.Text(circumstances),
            },
            (calls, request) => calls.Medical.OpenEnquiryAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.Write(EnquiryFacts(r.Enquiry, r.Replayed)));
    }

    private static Table EnquiryFacts(Enquiry e, bool replayed) => Output.Facts(
        ("enquiry", $"{e.Reference}  {e.EnquiryId}{(replayed ? " (replayed)" : "")}"), ("grounds", e.Grounds.ToString()), ("status", e.Status.ToString()),
        ("occurred", Output.Time(e.OccurredAt)), ("circumstances", e.Circumstances), ("opened", $"{Output.Time(e.OpenedAt)} by {e.OpenedByAgency}"),
        ("findings", e.Findings), ("closed", e.ClosedAt is null ? "" : $"{Output.Time(e.ClosedAt)} by {e.ClosedByAgency}"));

    private static Command CloseEnquiry()
    {
        var enquiryId = new Argument<string>("enquiry-id") { Description = "The enquiry's id (as open and list print it)." };
        var findings = new Option<string?>("--findings") { Description = "The enquiry's findings." };
        return new Command("close", """
            Closes an open enquiry with its findings. The coordinator's.
            Example: registryctl medical enquiry close <enquiry-id> --findings "..." --profile coordinator
            """) { enquiryId, Calls.RequestId, findings }.WithConnection().Does(
            parse => new CloseEnquiryRequest { RequestId = Calls.RequestIdOf(parse), EnquiryId = parse.GetValue(enquiryId)!, Findings = parse.Text(findings) },
            (calls, request) => calls.Medical.CloseEnquiryAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.Write(EnquiryFacts(r.Enquiry, r.Replayed)));
    }

    private static Command Enquiries()
    {
        var caseId = new Option<string?>("--case") { Description = "Only this case's enquiries (a UUID)." };
        var status = Values.EnumOption<EnquiryStatus>("--status", "Open or Closed (default: both).");
        var paging = new Paging("Enquiries", 50);
        return new Command("list", """
            Enquiries, open or closed or both, of one case or of all, in the order opened; no clinical detail.
            Example: registryctl medical enquiry list --status Open --profile coordinator
            """) { caseId, status }.With(paging.Options).WithConnection().Does(
            parse => new ListEnquiriesRequest
            {
                CaseId = parse.Text(caseId), Status = parse.GetValue(status) ?? EnquiryStatus.Unspecified, PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse),
            },
            (calls, request) => calls.Medical.ListEnquiriesAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Enquiries, "enquiry(ies)", page.NextPageToken, ["reference", "grounds", "status", "occurred", "opened", "enquiry id"],
                e => [e.Reference, e.Grounds.ToString(), e.Status.ToString(), Output.Time(e.OccurredAt), Output.Time(e.OpenedAt), e.EnquiryId]));
    }

    private static Command Mark()
    {
        var at = Calls.At("Since when the person is seriously ill or wounded");
        var grounds = new Option<string?>("--grounds") { Description = "The medic's grounds (clinical, the medic's only)." };
        return Calls.CaseWrite("mark", """
            Marks a person seriously ill or wounded (GC III Art. 122): SERIOUSLY_ILL, and a weekly health report falls due 7
            days after --at, then 7 days after each report (late ones are in registryctl overdue). The medic's.
            Example: registryctl medical seriously-ill mark <case-id> --grounds "septic fragment wounds of the jaw, febrile" --profile medic
            """, at, grounds).Does(
            parse => new MarkSeriouslyIllRequest { RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Since = parse.InstantOrNow(at), Grounds = parse.Text(grounds) },
            (calls, request) => calls.Medical.MarkSeriouslyIllAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.MarkupLine(Output.Safe($"seriously ill since {Output.Time(r.SeriousIllness.Since)}; first weekly report due {Output.Time(r.NextReportDueBy)}"
                + (r.Replayed ? " (replayed)" : ""))));
    }

    private static Command Unmark()
    {
        var at = Calls.At("From when the person is no longer seriously ill or wounded");
        var note = new Option<string?>("--note") { Description = "E.g. \"wounds closed, afebrile for 10 days\" (clinical)." };
        return Calls.CaseWrite("unmark", """
            Ends the mark: the weekly report clock stops. The medic's.
            Example: registryctl medical seriously-ill unmark <case-id> --note "wounds closed, afebrile for 10 days" --profile medic
            """, at, note).Does(
            parse => new UnmarkSeriouslyIllRequest { RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), Until = parse.InstantOrNow(at), Note = parse.Text(note) },
            (calls, request) => calls.Medical.UnmarkSeriouslyIllAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.MarkupLine(Output.Safe($"seriously ill {Output.Time(r.SeriousIllness.Since)} to {Output.Time(r.SeriousIllness.Until)}; now {r.Summary.Status}"
                + (r.Replayed ? " (replayed)" : ""))));
    }

    private static Command RecordWeeklyReport()
    {
        var at = Calls.At("When the state was assessed");
        var state = Values.EnumOption<HealthState>("--state", "Improving, Stable, Deteriorating or Critical (what the ICRC is told).");
        return Calls.CaseWrite("record", """
            Records a weekly health report of a person marked seriously ill (GC III Art. 122): the ICRC is told the state; the
            notes stay with medical. The next falls due 7 days later. The medic's.
            Example: registryctl medical weekly-report record <case-id> --state Improving --notes "afebrile" --profile medic
            """, at, state, Notes).Does(
            parse => new RecordWeeklyHealthReportRequest
            {
                RequestId = Calls.RequestIdOf(parse), CaseId = Calls.CaseIdOf(parse), ReportedAt = parse.InstantOrNow(at),
                State = parse.GetValue(state) ?? HealthState.Unspecified, Notes = parse.Text(Notes),
            },
            (calls, request) => calls.Medical.RecordWeeklyHealthReportAsync(request, calls.Options).ResponseAsync,
            (console, r) => console.MarkupLine(Output.Safe($"{r.Report.State} at {Output.Time(r.Report.ReportedAt)}; next report due {Output.Time(r.NextReportDueBy)}"
                + (r.Replayed ? " (replayed)" : ""))));
    }

    private static Command WeeklyReports()
    {
        var paging = new Paging("Reports", 50);
        return Calls.CaseRead("list", """
            A case's weekly health reports in the order reported, and when the next is due. The medic's.
            Example: registryctl medical weekly-report list <case-id> --profile medic
            """, paging.Options).Does(
            parse => new ListWeeklyHealthReportsRequest { CaseId = Calls.CaseIdOf(parse), PageSize = paging.SizeOf(parse), PageToken = paging.TokenOf(parse) },
            (calls, request) => calls.Medical.ListWeeklyHealthReportsAsync(request, calls.Options).ResponseAsync,
            (console, page) => Paging.Write(console, page.Reports, page.NextReportDueBy is { } due ? $"report(s); next due {Output.Time(due)}" : "report(s)",
                page.NextPageToken, ["reported", "state", "notes", "by"], w => [Output.Time(w.ReportedAt), w.State.ToString(), w.Notes, w.RecordedByAgency]));
    }

    private const string PersonForm = "case-id|notes";

    private static Command RecordInspections()
    {
        var at = Calls.At("When the day's inspections took place");
        var persons = new Option<string[]>("--person") { Description = $"A person inspected, as \"{PersonForm}\" (notes optional); repeat it for each (1 to 200)." };
        var file = new Option<FileInfo?>("--file") { Description = "A RecordInspectionsRequest as JSON (with each person's findings); the other options then stay unset." };
        return new Command("record", $"""
            Records the monthly inspections (GC III Art. 31) of up to 200 persons of one facility on one day, each on its own:
            one --person "{PersonForm}" each (a person's findings: --file, or medical encounter --kind Inspection). Every
            person is answered, recorded or refused with its reason; exit 3 when some are refused. The medic's.
            Example: registryctl medical inspections record --place "Camp 7 medical unit" --clinician "Olena Koval, military surgeon" \
                       --person "<case-id>|no complaints" --person "<case-id>" --profile medic
            """) { Calls.RequestId, at, Place, Clinician, persons, file }.WithConnection().Does(
            parse =>
            {
                var request = parse.GetValue(file) is { } json ? Values.JsonFile<RecordInspectionsRequest>(json) : new RecordInspectionsRequest
                {
                    Place = parse.Text(Place), OccurredAt = parse.InstantOrNow(at), Clinician = parse.Text(Clinician),
                    Inspections =
                    {
                        (parse.GetValue(persons) ?? []).Select(p => Values.Fields(p, persons.Name, PersonForm, required: 1))
                            .Select(f => new PersonInspection { CaseId = f[0], Notes = f[1] }),
                    },
                };
                request.RequestId = parse.GetValue(Calls.RequestId) ?? (request.RequestId.Length > 0 ? request.RequestId : Guid.NewGuid().ToString());
                return request;
            },
            (calls, request) => calls.Medical.RecordInspectionsAsync(request, calls.Options).ResponseAsync,
            (console, r) =>
            {
                var table = new Table().AddColumns("case id", "outcome", "next inspection due", "why refused");
                foreach (var x in r.Results)
                {
                    table.Row(x.CaseId, x.Recorded is { } ok ? ok.Replayed ? "replayed" : "recorded" : $"refused {x.Refused.Code}",
                        Output.Time(x.Recorded?.Summary?.ExaminationDueBy),
                        x.Refused is { } no ? string.Join("; ", [$"{no.Reason} {no.Message}".Trim(), .. no.FieldViolations.Select(v => $"{v.Field}: {v.Description}")]) : "");
                }

                console.Write(table);
                console.MarkupLine($"{r.Results.Count(x => x.Recorded is not null)} recorded, {r.Results.Count(x => x.Refused is not null)} refused");
            },
            r => r.Results.Any(x => x.Refused is not null) ? ExitCodes.Refused : ExitCodes.Done);
    }
}
