using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Embedded.Credentials;
using Registry.Protos.Common.V1;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Embedded.Demo;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// Replays the seed story (shared/seed/news-article.txt) through the gateway as the agencies'
/// systems would: the capturing unit registers two soldiers captured in the Kursk region on
/// 11 January 2025 (one born in 2005, the other in 1999), the security service admits both to
/// its facility in Kyiv, and its medical unit examines them, finding the face and jaw injury of
/// the one who set off a grenade. Request ids are derived from the story, so a replay on a later
/// start returns the same records instead of new ones. The article withholds the names and the
/// dates of admission and examination; the Hangul names and those dates are placeholders.
/// Each agency calls with its own token (client-credentials grant against the embedded authorization server):
/// the UA-SSO intake officer registers, the UA-SBU custodian admits, the UA-SBU medic records the
/// examinations, the UA-POW-HQ coordinator reads the case files, assesses the risk on return and drafts the swap list,
/// the ICRC delegate records its visit and each man's wish.
/// </summary>
public sealed class SeedStoryReplay(EmbeddedOptions options, DevelopmentClientsFile clients, IHostApplicationLifetime lifetime, ILogger<SeedStoryReplay> logger)
    : BackgroundService
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 9, 30, 0, TimeSpan.FromHours(3));
    private static readonly DateTimeOffset AdmittedAt = new(2025, 1, 12, 18, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset ExaminedAt = new(2025, 1, 12, 20, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset TreatedAt = new(2025, 1, 13, 10, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset HospitalisedAt = new(2025, 1, 14, 8, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset DischargedAt = new(2025, 1, 24, 11, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset AssessedAt = new(2025, 1, 27, 9, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset CertificateRequestedAt = new(2025, 1, 28, 9, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset InterviewedAt = new(2025, 1, 29, 10, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset VisitedAt = new(2025, 2, 5, 11, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset RiskAssessedAt = new(2025, 2, 10, 9, 0, 0, TimeSpan.FromHours(2));
    private static readonly Facility Kyiv = new() { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" };

    private static readonly Soldier[] Soldiers =
    [
        new("rifleman", "리", "정혁", 2005, "rifleman", 2021, "born 2005, rifleman since 2021",
            "Taken during hostilities; evacuated from the combat zone.", Injury: null),
        new("sniper", "백", "광순", 1999, "sniper-reconnaissance", 2016, "born 1999, sniper-reconnaissance since 2016",
            "Set off a grenade near his face as troops approached; evacuated for treatment.",
            new ConditionFinding
            {
                Kind = ConditionKind.Injury,
                Description = "Fragment wounds of the face and jaw",
                BodySite = "face, jaw",
                Cause = "grenade detonated near the face at capture",
            }),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenStartedAsync(stoppingToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var tokens = new ClientCredentialsTokens(http, TimeProvider.System);
        GrpcChannel ChannelAs(string role, string agency) => GrpcChannel.ForAddress(options.GatewayAddress, new GrpcChannelOptions
        {
            HttpHandler = new BearerTokenHandler(tokens, clients.Credentials(clients.Get(role, agency))) { InnerHandler = new SocketsHttpHandler() },
        });
        using var intakeOfficer = ChannelAs(RegistryRoles.IntakeOfficer, "UA-SSO");
        using var custodian = ChannelAs(RegistryRoles.Custodian, "UA-SBU");
        using var medic = ChannelAs(RegistryRoles.Medic, "UA-SBU");
        using var coordinator = ChannelAs(RegistryRoles.Coordinator, "UA-POW-HQ");
        using var delegateChannel = ChannelAs(RegistryRoles.IcrcDelegate, "ICRC");
        var intake = new IntakeService.IntakeServiceClient(intakeOfficer);
        var custody = new CustodyService.CustodyServiceClient(custodian);
        var medical = new MedicalService.MedicalServiceClient(medic);
        var caseFiles = new CaseFileService.CaseFileServiceClient(coordinator);
        var men = new List<(Soldier Soldier, string CaseId)>();
        try
        {
            foreach (var soldier in Soldiers)
            {
                using var activity = RegistryTelemetry.Source.StartActivity($"demo: the {soldier.Key}", ActivityKind.Client);
                var response = await WithRetryAsync("registration", ct => intake.RegisterCaptureAsync(Registration(soldier), deadline: Deadline(), cancellationToken: ct).ResponseAsync, stoppingToken);
                var caseId = response.Case.CaseId;
                // Custody and medical open their records when the registration reaches them over the bus.
                await WaitForWholeCaseFileAsync(caseFiles, caseId, stoppingToken);
                await WithRetryAsync("admission", ct => custody.AdmitToFacilityAsync(Admission(soldier, caseId), deadline: Deadline(), cancellationToken: ct).ResponseAsync, stoppingToken);
                var examination = await WithRetryAsync("examination", ct => medical.RecordEncounterAsync(Examination(soldier, caseId), deadline: Deadline(), cancellationToken: ct).ResponseAsync, stoppingToken);
                var certificate = await CareAsync(medical, soldier, caseId, examination, stoppingToken);
                men.Add((soldier, caseId));
                var file = (await caseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId }, deadline: Deadline(), cancellationToken: stoppingToken)).CaseFile;
                logger.LogInformation(
                    "Demo: {CaseNumber} ({Description}) {Outcome}; custody: {Custody}; medical: {Medical}{Certificate}; trace {TraceId}",
                    response.Case.CaseNumber, soldier.Description, response.Replayed ? "already registered" : "registered",
                    file.Custody.ResultCase == CustodyPart.ResultOneofCase.Record
                        ? $"{file.Custody.Record.State} at {Describe(file.Custody.Record.Facility)} by {file.Custody.Record.CustodianAgency}"
                        : $"unavailable ({file.Custody.Unavailable.Code})",
                    file.Medical.ResultCase == MedicalPart.ResultOneofCase.Summary
                        ? $"{file.Medical.Summary.Status}, next inspection due {file.Medical.Summary.ExaminationDueBy.ToDateTimeOffset():yyyy-MM-dd}"
                        : $"unavailable ({file.Medical.Unavailable.Code})",
                    certificate is null ? "" : $"; certificate of treatment {certificate.Number} ({certificate.Language})",
                    activity?.TraceId.ToHexString());
            }

            using (RegistryTelemetry.Source.StartActivity("demo: custody to the open end", ActivityKind.Client))
            {
                var swap = await CustodyToTheOpenEndAsync(custody, new CustodyService.CustodyServiceClient(delegateChannel),
                    new CustodyService.CustodyServiceClient(coordinator), men, stoppingToken);
                logger.LogInformation(
                    "Demo: questioned in Kyiv through Korean interpreters with KR-NIS present; ICRC visit with private interviews; risk on return assessed HIGH; swap list {Reference} with {Counterpart}: {Exchanged} exchanged, {HeldBack} held back ({Reasons})",
                    swap.ExchangeList.Reference, swap.ExchangeList.Counterpart.State, swap.ExchangedCount, swap.HeldBackCount,
                    string.Join(", ", swap.Entries.Select(e => $"{e.CaseNumber}: {e.HeldBackReason}")));
            }
        }
        catch (Exception ex) when (ex is RpcException or TimeoutException or TokenRequestException or HttpRequestException)
        {
            logger.LogWarning(ex, "Demo replay did not complete");
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);

    /// <summary>
    /// The care that follows the examination: the sniper's face and jaw wounds are treated, he is hospitalised for
    /// surgery on the jaw and discharged ten days later; both men are assessed fit for interview (GC III Art. 17);
    /// the sniper asks for a certificate of treatment (Art. 30) and gets it with his copy in Korean.
    /// </summary>
    private async Task<TreatmentCertificate?> CareAsync(
        MedicalService.MedicalServiceClient medical, Soldier soldier, string caseId, RecordEncounterResponse examination, CancellationToken ct)
    {
        string Id(string step) => StableId($"seed-story/{soldier.Key}/{step}").ToString();
        if (soldier.Injury is not null)
        {
            await WithRetryAsync("treatment", t => medical.RecordEncounterAsync(new RecordEncounterRequest
            {
                RequestId = Id("treatment"), CaseId = caseId, Kind = EncounterKind.Treatment, OccurredAt = Timestamp.FromDateTimeOffset(TreatedAt),
                Place = "SBU detention facility medical unit, Kyiv", Clinician = "duty physician", Notes = "Wound debridement; antibiotics.",
            }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
            await WithRetryAsync("hospitalisation", t => medical.AdmitToHospitalAsync(new AdmitToHospitalRequest
            {
                RequestId = Id("hospitalisation"), CaseId = caseId, AdmittedAt = Timestamp.FromDateTimeOffset(HospitalisedAt),
                Hospital = new Hospital { Name = "Main military clinical hospital", Locality = "Kyiv", Country = "UA" },
                Reason = "Open reduction and fixation of the mandible",
            }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
            await WithRetryAsync("discharge", t => medical.DischargeFromHospitalAsync(new DischargeFromHospitalRequest
            {
                RequestId = Id("discharge"), CaseId = caseId, DischargedAt = Timestamp.FromDateTimeOffset(DischargedAt),
                Outcome = DischargeOutcome.Improved, Notes = "Mandible fixed; soft diet for four weeks.",
            }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
        }

        await WithRetryAsync("fitness for interview", t => medical.AssessFitnessAsync(new AssessFitnessRequest
        {
            RequestId = Id("fitness-for-interview"), CaseId = caseId, Purpose = FitnessPurpose.Interview, Outcome = FitnessOutcome.Fit,
            AssessedAt = Timestamp.FromDateTimeOffset(AssessedAt), ValidUntil = Timestamp.FromDateTimeOffset(AssessedAt.AddDays(30)),
            AssessedBy = "duty physician",
        }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
        if (soldier.Injury is null)
        {
            return null;
        }

        var injury = examination.Conditions.Select(c => c.ConditionId).ToList();
        var issued = await WithRetryAsync("certificate of treatment", t => medical.IssueTreatmentCertificateAsync(new IssueTreatmentCertificateRequest
        {
            RequestId = Id("certificate-of-treatment"), CaseId = caseId, RequestedAt = Timestamp.FromDateTimeOffset(CertificateRequestedAt),
            ConditionIds = { injury }, Treatment = "Wound debridement, antibiotics; open reduction and fixation of the mandible",
            TreatmentFrom = Timestamp.FromDateTimeOffset(ExaminedAt), TreatmentTo = Timestamp.FromDateTimeOffset(DischargedAt),
            Place = "SBU detention facility medical unit and Main military clinical hospital, Kyiv",
            MedicName = "duty physician", MedicFunction = "military surgeon", Language = "ko",
        }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
        return issued.Certificate;
    }

    /// <summary>
    /// What custody records of the story after the care: both men questioned in Kyiv in Korean through an interpreter
    /// with the South Korean service present (GC III Art. 17; custody asks medical whether each is fit for it); an
    /// ICRC visit with a private interview of each (Art. 126), where each man's wish about return is taken; the
    /// coordination office's assessment of a high risk on return (Art. 118: they were ordered to kill themselves
    /// rather than be captured); a swap list drafted with both, agreed and executed, which holds both back. The end
    /// stays open (README: "The embedded mode and its demo").
    /// </summary>
    private async Task<ExecuteExchangeListResponse> CustodyToTheOpenEndAsync(
        CustodyService.CustodyServiceClient custody, CustodyService.CustodyServiceClient icrc, CustodyService.CustodyServiceClient coordinator,
        IReadOnlyList<(Soldier Soldier, string CaseId)> men, CancellationToken ct)
    {
        foreach (var (soldier, caseId) in men)
        {
            string Id(string step) => StableId($"seed-story/{soldier.Key}/{step}").ToString();
            await WithRetryAsync("interview", t => custody.RecordInterviewAsync(new RecordInterviewRequest
            {
                RequestId = Id("interview"), CaseId = caseId, StartedAt = Timestamp.FromDateTimeOffset(InterviewedAt), DurationMinutes = 90,
                Place = Kyiv, InterviewingAgency = "UA-SBU", Interviewer = "SBU investigator", Language = "ko",
                Interpreter = new InterviewParticipant { Name = "Korean interpreter", Agency = "UA-SBU", Function = "interpreter" },
                Present = { new InterviewParticipant { Name = "liaison officer", Agency = "KR-NIS", Function = "observer of the South Korean service" } },
            }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
        }

        await WithRetryAsync("ICRC visit", t => icrc.RecordIcrcVisitAsync(new RecordIcrcVisitRequest
        {
            RequestId = StableId("seed-story/icrc-visit").ToString(), VisitingAgency = "ICRC", VisitedAt = Timestamp.FromDateTimeOffset(VisitedAt),
            Facility = Kyiv, Delegates = { "ICRC delegate", "ICRC interpreter" }, CaseIds = { men.Select(m => m.CaseId) },
        }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
        foreach (var (soldier, caseId) in men)
        {
            string Id(string step) => StableId($"seed-story/{soldier.Key}/{step}").ToString();
            await WithRetryAsync("wish about return", t => icrc.RecordReturnWishAsync(new RecordReturnWishRequest
            {
                RequestId = Id("wish"), CaseId = caseId, Wish = ReturnWish.DoesNotWishToReturn,
                TakenAt = Timestamp.FromDateTimeOffset(VisitedAt.AddHours(1)), TakenBy = "ICRC delegate, in a private interview",
            }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
            await WithRetryAsync("risk on return", t => coordinator.AssessReturnRiskAsync(new AssessReturnRiskRequest
            {
                RequestId = Id("return-risk"), CaseId = caseId, Level = ReturnRisk.High,
                Grounds = "Ordered to kill himself rather than be captured; a real risk of punishment on return for having been captured.",
                AssessedAt = Timestamp.FromDateTimeOffset(RiskAssessedAt), AssessedBy = "legal adviser, POW coordination HQ",
            }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
        }

        var list = await WithRetryAsync("swap list", t => coordinator.DraftExchangeListAsync(new DraftExchangeListRequest
        {
            RequestId = StableId("seed-story/swap-list").ToString(), Counterpart = new ExchangeCounterpart { State = "KP", Authority = "through the ICRC" },
            Note = "both men offered in exchange for Ukrainian prisoners of war held in Russia", CaseIds = { men.Select(m => m.CaseId) },
        }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
        var listId = list.ExchangeList.ExchangeListId;
        var agreed = await WithRetryAsync("swap agreed", t => coordinator.AgreeExchangeListAsync(new AgreeExchangeListRequest
        {
            RequestId = StableId("seed-story/swap-list/agreed").ToString(), ExchangeListId = listId, Version = list.ExchangeList.Version,
        }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
        return await WithRetryAsync("swap executed", t => coordinator.ExecuteExchangeListAsync(new ExecuteExchangeListRequest
        {
            RequestId = StableId("seed-story/swap-list/executed").ToString(), ExchangeListId = listId,
            // Agreed now (the registry's clock): the execution is dated then, so that a replay asks the same.
            ExecutedAt = agreed.ExchangeList.Agreed.At,
        }, deadline: Deadline(), cancellationToken: t).ResponseAsync, ct);
    }

    /// <summary>
    /// Retries what is safe to retry (the request id makes a second attempt return the first
    /// result): a host still warming up may miss a deadline.
    /// </summary>
    private async Task<T> WithRetryAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(ct);
            }
            catch (RpcException ex) when (attempt < 5 && ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                logger.LogInformation("Demo: {What} attempt {Attempt} answered {Status}; retrying", what, attempt, ex.StatusCode);
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
            }
        }
    }

    private static string Describe(Facility facility) =>
        string.Join(", ", new[] { facility.Name, facility.Locality }.Where(p => p.Length > 0));

    /// <summary>The security service (SBU) holds both men in Kyiv.</summary>
    private static AdmitToFacilityRequest Admission(Soldier soldier, string caseId) => new()
    {
        RequestId = StableId($"seed-story/{soldier.Key}/admission").ToString(),
        CaseId = caseId,
        Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
        CustodianAgency = "UA-SBU",
        AdmittedAt = Timestamp.FromDateTimeOffset(AdmittedAt),
        Note = "evacuated from the Kursk region",
    };

    /// <summary>Both are examined on arrival ("receiving medical attention"); one has the grenade injury.</summary>
    private static RecordEncounterRequest Examination(Soldier soldier, string caseId)
    {
        var request = new RecordEncounterRequest
        {
            RequestId = StableId($"seed-story/{soldier.Key}/intake-examination").ToString(),
            CaseId = caseId,
            Kind = EncounterKind.IntakeExamination,
            OccurredAt = Timestamp.FromDateTimeOffset(ExaminedAt),
            Place = "SBU detention facility medical unit, Kyiv",
            Clinician = "duty physician",
        };
        if (soldier.Injury is not null)
        {
            request.Findings.Add(soldier.Injury);
        }

        return request;
    }

    private static RegisterCaptureRequest Registration(Soldier soldier) => new()
    {
        RequestId = StableId($"seed-story/{soldier.Key}").ToString(),
        // What each man said of himself, through a Korean interpreter (Art. 17: questioning in a
        // language he understands).
        IdentitySource = new AssertionSource { Kind = SourceKind.StatedByPerson, Note = "questioned through a Korean interpreter" },
        StatusCategory = StatusCategory.PrisonerOfWar,
        Identity = new Identity
        {
            FamilyName = soldier.Family,
            GivenNames = soldier.Given,
            DateOfBirth = new PartialDate { Year = soldier.BirthYear },
            Nationality = "KP",
            Sex = Sex.Male,
            Languages = { "ko" },
            Role = soldier.Role,
            InServiceSince = new PartialDate { Year = soldier.InServiceSince },
        },
        Capture = new CaptureEvent
        {
            CapturedAt = Timestamp.FromDateTimeOffset(CapturedAt),
            Place = "Kursk region",
            CapturingUnit = "Special Operations Forces",
            CapturingAgency = "UA-SSO",
            Circumstances = soldier.Circumstances,
        },
    };

    private static async Task<CaseFile> WaitForWholeCaseFileAsync(CaseFileService.CaseFileServiceClient caseFiles, string caseId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var file = (await caseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct)).CaseFile;
            var whole = file.Custody.ResultCase == CustodyPart.ResultOneofCase.Record && file.Medical.ResultCase == MedicalPart.ResultOneofCase.Summary;
            if (whole || DateTime.UtcNow > deadline)
            {
                return file;
            }

            await Task.Delay(200, ct);
        }
    }

    private sealed record Soldier(
        string Key, string Family, string Given, int BirthYear, string Role, int InServiceSince, string Description, string Circumstances,
        ConditionFinding? Injury);

    private static Guid StableId(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));

    private Task WhenStartedAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(ct);
    }
}
