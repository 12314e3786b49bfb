using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The seed story from capture to its open end, each agency with its own token through the gateway: both men are
/// admitted in Kyiv, found fit for interview and questioned through Korean interpreters with the South Korean service
/// present (GC III Art. 17); the ICRC visits and interviews both in private (Art. 126) and records each man's wish
/// about return; the coordination office assesses a high risk on return (they were ordered to kill themselves rather
/// than be captured; Art. 118, non-refoulement), so repatriation is refused and the swap list drafted with both reports
/// both held back by the hold. The partner sees the interviews it took part in, the case file shows state, place, hold
/// and last interview, and each hash chain verifies intact.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class CustodyStoryTests(RegistryFixture registry)
{
    private static readonly DateTimeOffset AdmittedAt = new(2025, 1, 12, 18, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset AssessedAt = new(2025, 1, 27, 9, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset InterviewedAt = new(2025, 1, 29, 10, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset VisitedAt = new(2025, 2, 5, 11, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset RiskAssessedAt = new(2025, 2, 10, 9, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset RepatriationAt = new(2025, 2, 20, 12, 0, 0, TimeSpan.FromHours(2));
    private static readonly Facility Kyiv = new() { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" };

    private IntakeService.IntakeServiceClient Officer => new(TestCallers.As(registry.GatewayRawChannel, "UA-SSO", RegistryRoles.IntakeOfficer));
    private CustodyService.CustodyServiceClient Custodian => new(TestCallers.As(registry.GatewayRawChannel, "UA-SBU", RegistryRoles.Custodian));
    private MedicalService.MedicalServiceClient Medic => new(TestCallers.As(registry.GatewayRawChannel, "UA-SBU", RegistryRoles.Medic));
    private CustodyService.CustodyServiceClient Icrc => new(TestCallers.As(registry.GatewayRawChannel, "ICRC", RegistryRoles.IcrcDelegate));
    private CustodyService.CustodyServiceClient Coordinator => new(TestCallers.As(registry.GatewayRawChannel, "UA-POW-HQ", RegistryRoles.Coordinator));
    private IntakeService.IntakeServiceClient CoordinatorIntake => new(TestCallers.As(registry.GatewayRawChannel, "UA-POW-HQ", RegistryRoles.Coordinator));
    private CaseFileService.CaseFileServiceClient CoordinatorFiles => new(TestCallers.As(registry.GatewayRawChannel, "UA-POW-HQ", RegistryRoles.Coordinator));
    private CustodyService.CustodyServiceClient Partner => new(TestCallers.As(registry.GatewayRawChannel, "KR-NIS", RegistryRoles.Partner));
    private CustodyService.CustodyServiceClient OtherPartner => new(TestCallers.As(registry.GatewayRawChannel, "JP-PSIA", RegistryRoles.Partner));
    private CustodyService.CustodyServiceClient Auditor => new(TestCallers.As(registry.GatewayRawChannel, "UA-OMBUDSMAN", RegistryRoles.Auditor));

    [Fact]
    public async Task Both_men_are_questioned_visited_and_assessed_at_high_risk_so_the_swap_holds_both_back_and_the_end_stays_open()
    {
        var men = new[] { (await Officer.RegisterCaptureAsync(SeedStory.SniperStated(), deadline: RegistryFixture.CallDeadline)).Case,
            (await Officer.RegisterCaptureAsync(SeedStory.Rifleman(), deadline: RegistryFixture.CallDeadline)).Case };
        foreach (var man in men)
        {
            await CaseFileTests.WholeCaseFileAsync(CoordinatorFiles, man.CaseId);
            await Custodian.AdmitToFacilityAsync(new AdmitToFacilityRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = man.CaseId, CustodianAgency = "UA-SBU", Facility = Kyiv,
                AdmittedAt = Timestamp.FromDateTimeOffset(AdmittedAt),
            }, deadline: RegistryFixture.CallDeadline);
            await Medic.AssessFitnessAsync(new AssessFitnessRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = man.CaseId, Purpose = FitnessPurpose.Interview, Outcome = FitnessOutcome.Fit,
                AssessedAt = Timestamp.FromDateTimeOffset(AssessedAt), ValidUntil = Timestamp.FromDateTimeOffset(AssessedAt.AddDays(30)),
                AssessedBy = "Olena Koval, military surgeon",
            }, deadline: RegistryFixture.CallDeadline);
            // The coordinator shares the case with the South Korean service, which takes part in the questioning.
            await CoordinatorIntake.ShareCaseAsync(new ShareCaseRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = man.CaseId, PartnerAgency = "KR-NIS", Purpose = "questioning with an interpreter of the partner",
                ValidUntil = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(90)),
            }, deadline: RegistryFixture.CallDeadline);
        }

        // Questioned in Kyiv in Korean (Art. 17), each through an interpreter, with the South Korean service present;
        // custody asked medical whether each man was fit for it, and the answer is kept with the interview.
        foreach (var man in men)
        {
            var interview = (await Custodian.RecordInterviewAsync(new RecordInterviewRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = man.CaseId, StartedAt = Timestamp.FromDateTimeOffset(InterviewedAt), DurationMinutes = 90,
                Place = Kyiv, InterviewingAgency = "UA-SBU", Interviewer = "SBU investigator 12", Language = "ko",
                Interpreter = new InterviewParticipant { Name = "interpreter KO-3", Agency = "UA-SBU", Function = "Korean interpreter" },
                Present = { new InterviewParticipant { Name = "liaison officer", Agency = "KR-NIS", Function = "observer of the partner service" } },
            }, deadline: RegistryFixture.CallDeadline)).Interview;
            Assert.Contains("FIT", interview.Fitness);
        }

        // The partner sees the interviews it took part in; a partner that was not there sees none of them.
        var seen = await Partner.ListInterviewsAsync(new ListInterviewsRequest { CaseId = men[0].CaseId, PageSize = 10 }, deadline: RegistryFixture.CallDeadline);
        Assert.Equal("KR-NIS", Assert.Single(Assert.Single(seen.Interviews).Present).Agency);
        Assert.Equal(StatusCode.PermissionDenied, await RefusedAsync(() => OtherPartner.ListInterviewsAsync(
            new ListInterviewsRequest { CaseId = men[0].CaseId, PageSize = 10 }, deadline: RegistryFixture.CallDeadline).ResponseAsync));

        // The ICRC visits the facility and interviews both men in private (Art. 126): that it took place, never what was said.
        var visit = (await Icrc.RecordIcrcVisitAsync(new RecordIcrcVisitRequest
        {
            RequestId = Guid.NewGuid().ToString(), VisitingAgency = "ICRC", VisitedAt = Timestamp.FromDateTimeOffset(VisitedAt), Facility = Kyiv,
            Delegates = { "ICRC delegate A", "ICRC delegate B" }, CaseIds = { men.Select(m => m.CaseId) },
        }, deadline: RegistryFixture.CallDeadline)).Visit;
        Assert.Equal(men.Select(m => m.CaseId).Order(), visit.CaseIds.Order());

        foreach (var man in men)
        {
            // Each man's wish about return, taken by the delegate in the private interview; then the coordination
            // office's assessment: a high risk of punishment on return (ordered to kill themselves rather than be captured).
            await Icrc.RecordReturnWishAsync(new RecordReturnWishRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = man.CaseId, Wish = ReturnWish.DoesNotWishToReturn,
                TakenAt = Timestamp.FromDateTimeOffset(VisitedAt.AddHours(1)), TakenBy = "ICRC delegate A",
            }, deadline: RegistryFixture.CallDeadline);
            await Coordinator.AssessReturnRiskAsync(new AssessReturnRiskRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = man.CaseId, Level = ReturnRisk.High,
                Grounds = "Ordered to kill himself rather than be captured; a real risk of punishment for having been captured.",
                AssessedAt = Timestamp.FromDateTimeOffset(RiskAssessedAt), AssessedBy = "legal adviser, POW coordination HQ",
            }, deadline: RegistryFixture.CallDeadline);
        }

        // Repatriation is refused while the hold stands.
        var repatriation = await Assert.ThrowsAsync<RpcException>(() => Coordinator.RequestRepatriationAsync(new RequestRepatriationRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = men[0].CaseId, RepatriatedAt = Timestamp.FromDateTimeOffset(RepatriationAt), ToState = "KP",
            Via = "through the ICRC", FitnessOverrideReason = "not at issue: refused on the hold first",
        }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        RpcAssert.RuleViolation(repatriation, "NON_REFOULEMENT_HOLD", $"cases/{men[0].CaseId}");

        // The swap list: drafted with both (each marked on hold), agreed, executed: both are held back by the hold.
        var drafted = await Coordinator.DraftExchangeListAsync(new DraftExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), Counterpart = new ExchangeCounterpart { State = "KP", Authority = "via the ICRC" },
            Note = "proposed exchange for Ukrainian prisoners of war", CaseIds = { men.Select(m => m.CaseId) },
        }, deadline: RegistryFixture.CallDeadline);
        Assert.All(drafted.Entries, e => Assert.True(e.OnHold, e.ToString()));
        var listId = drafted.ExchangeList.ExchangeListId;
        var agreed = await Coordinator.AgreeExchangeListAsync(new AgreeExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = listId, Version = drafted.ExchangeList.Version }, deadline: RegistryFixture.CallDeadline);
        var executed = await Coordinator.ExecuteExchangeListAsync(new ExecuteExchangeListRequest
        {
            // The list is agreed now (the registry's clock), so the exchange cannot be dated before that.
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = listId, ExecutedAt = agreed.ExchangeList.Agreed.At,
        }, deadline: RegistryFixture.CallDeadline);
        Assert.Equal((0, 2), (executed.ExchangedCount, executed.HeldBackCount));
        Assert.All(executed.Entries, e => Assert.Equal((ExchangeOutcome.HeldBack, "NON_REFOULEMENT_HOLD"), (e.Outcome, e.HeldBackReason)));

        foreach (var man in men)
        {
            // The coordinator's case file: still held in Kyiv, the hold and the last interview shown.
            var custody = (await CoordinatorFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = man.CaseId }, deadline: RegistryFixture.CallDeadline)).CaseFile.Custody.Record;
            Assert.Equal((CustodyState.Held, "SBU detention facility", "UA-SBU"), (custody.State, custody.Facility.Name, custody.CustodianAgency));
            Assert.Contains("high", custody.NonRefoulementHold);
            Assert.Equal((InterviewedAt, "ko"), (custody.LastInterview.StartedAt.ToDateTimeOffset(), custody.LastInterview.Language));

            // The partner sees that a hold stands, not the wish the man confided to the ICRC in private (Art. 126).
            var partners = (await Partner.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = man.CaseId }, deadline: RegistryFixture.CallDeadline)).Record;
            Assert.Equal((ReturnWish.DoesNotWishToReturn, ReturnWish.Unspecified), (custody.ReturnWish, partners.ReturnWish));
            Assert.Equal(custody.NonRefoulementHold, partners.NonRefoulementHold);

            // Every change is in the hash-chained timeline, and the auditor finds it intact.
            var chain = await Auditor.VerifyCustodyChainAsync(new VerifyCustodyChainRequest { CaseId = man.CaseId }, deadline: RegistryFixture.CallDeadline);
            Assert.True(chain.Intact, chain.ToString());
            Assert.True(chain.HeadMatchesRecord, chain.ToString());
        }
    }

    private static async Task<StatusCode> RefusedAsync(Func<Task> call) => (await Assert.ThrowsAsync<RpcException>(call)).StatusCode;
}
