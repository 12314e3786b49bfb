using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The sniper of the seed story registered twice: by the capturing unit in Hangul only, and by the security service
/// from his own statement, which then holds him in Camp 7 and treats his face and jaw injury under its record. A
/// coordinator merges the second record into the first, all through the gateway; the first then reads as the person
/// really is: held in Camp 7, under treatment, his overdue capture card still owed, found by the name he gave.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class MergeStoryTests(RegistryFixture registry)
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(60);

    private IntakeService.IntakeServiceClient Intake => new(registry.GatewayChannel);
    private CaseFileService.CaseFileServiceClient CaseFiles => new(registry.GatewayChannel);

    [Fact]
    public async Task The_sniper_registered_twice_and_held_and_treated_under_the_second_record_reads_right_on_the_first_after_the_merge()
    {
        // Two words no other name has. With one, the search's "all words but one" stage (the other word's first letter
        // beginning a token, the whole query similar) could find X before the merge by "Kwang Sun" alone, as CI saw
        // with a tag whose first letter folds onto one of X's romanisations; with two, X would have to share one of them.
        string Word() => string.Concat(Enumerable.Range(0, 6).Select(_ => "fjqvxz"[Random.Shared.Next(6)]));
        var tag = $"{Word()} {Word()}";
        // X: the capturing unit's record, Hangul only.
        var x = (await Intake.RegisterCaptureAsync(SeedStory.Sniper(), deadline: RegistryFixture.CallDeadline)).Case;
        // Y: the security service's record from his own statement, with a Latin name no other test uses.
        var stated = SeedStory.SniperStated();
        stated.Identity.GivenNamesLatin = $"Kwang Sun {tag}";
        stated.Capture.CapturingAgency = "UA-SBU";
        var y = (await Intake.RegisterCaptureAsync(stated, deadline: RegistryFixture.CallDeadline)).Case;
        await CaseFileTests.WholeCaseFileAsync(CaseFiles, x.CaseId);
        await CaseFileTests.WholeCaseFileAsync(CaseFiles, y.CaseId);

        // Y is held in Camp 7 from the day after the capture and examined there: a severe face and jaw injury.
        var admittedAt = SeedStory.CapturedAt.AddDays(1);
        await new CustodyService.CustodyServiceClient(registry.GatewayChannel).AdmitToFacilityAsync(new AdmitToFacilityRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = y.CaseId, Facility = new Facility { Name = "Camp 7", Country = "UA" },
            CustodianAgency = "UA-SBU", AdmittedAt = Timestamp.FromDateTimeOffset(admittedAt),
        }, deadline: RegistryFixture.CallDeadline);
        var examinedAt = admittedAt.AddHours(3);
        await new MedicalService.MedicalServiceClient(registry.GatewayChannel).RecordEncounterAsync(new RecordEncounterRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = y.CaseId, Kind = EncounterKind.IntakeExamination,
            OccurredAt = Timestamp.FromDateTimeOffset(examinedAt), Place = "Camp 7 medical unit", Clinician = "duty physician",
            Findings = { new ConditionFinding { Kind = ConditionKind.Injury, Description = "Fragment wounds of the face and jaw", BodySite = "face, jaw", Severity = Severity.Severe } },
        }, deadline: RegistryFixture.CallDeadline);
        // Y's capture card runs from the arrival (GC III Art. 70) and is long overdue; X's, from today, is not.
        var owed = await Eventually.GetAsync(async () => (await OverdueCardsAsync(x.CaseId, y.CaseId)).SingleOrDefault(), Propagation, "Y's overdue capture card");
        Assert.Equal(y.CaseId, owed.CaseId);
        Assert.DoesNotContain(x.CaseId, await FindAsync($"Kwang Sun {tag}"));

        var merged = await Intake.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = x.CaseId, SurvivorRevision = x.Revision, MergedCaseId = y.CaseId,
            MergedRevision = (await Intake.GetCaseAsync(new GetCaseRequest { CaseId = y.CaseId })).Case.Revision,
            Reason = "the same man: photographs and the unit's capture report",
        }, deadline: RegistryFixture.CallDeadline);
        Assert.Equal(x.CaseId, merged.Merged.MergedIntoCaseId);

        // His case file: held in Camp 7 since the day after capture, under treatment, the inspection clock from Y's examination.
        var file = await Eventually.GetAsync(async () =>
        {
            var f = (await CaseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = x.CaseId }, deadline: RegistryFixture.CallDeadline)).CaseFile;
            return f.Custody.Record?.State == Protos.Custody.V1.CustodyState.Held && f.Medical.Summary?.Status == MedicalStatus.UnderTreatment ? f : null;
        }, Propagation, "the survivor's case file after the merge");
        Assert.Equal(("Camp 7", "UA-SBU", admittedAt), (file.Custody.Record.Facility.Name, file.Custody.Record.CustodianAgency, file.Custody.Record.AdmittedAt.ToDateTimeOffset()));
        Assert.Equal(examinedAt.AddDays(30), file.Medical.Summary.ExaminationDueBy.ToDateTimeOffset());
        Assert.Contains($"Paek Kwang Sun {tag}", Assert.Single(file.Identity.Case.AlsoKnownAs));

        // The merged record's file says where the person is now.
        var old = (await CaseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = y.CaseId }, deadline: RegistryFixture.CallDeadline)).CaseFile;
        Assert.Equal((x.CaseId, Protos.Custody.V1.CustodyState.Merged, x.CaseId, MedicalStatus.Merged, x.CaseId),
            (old.Identity.Case.MergedIntoCaseId, old.Custody.Record.State, old.Custody.Record.MergedIntoCaseId, old.Medical.Summary.Status, old.Medical.Summary.MergedIntoCaseId));

        // The overdue card did not vanish: the same card, now owed by the survivor; and only one card is owed.
        var carried = Assert.Single(await OverdueCardsAsync(x.CaseId, y.CaseId));
        Assert.Equal((x.CaseId, owed.CaptureCardId, owed.DueAt), (carried.CaseId, carried.CaptureCardId, carried.DueAt));

        // He is found by the name he gave under the merged record.
        Assert.Contains(x.CaseId, await FindAsync($"Kwang Sun {tag}"));
        Assert.Contains(x.CaseId, await FindAsync($"paek kwang sun {tag}"));

        // A write on the merged record is refused, naming the survivor.
        var refused = await Assert.ThrowsAsync<RpcException>(() => new MedicalService.MedicalServiceClient(registry.GatewayChannel).RecordEncounterAsync(new RecordEncounterRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = y.CaseId, Kind = EncounterKind.Inspection,
            OccurredAt = Timestamp.FromDateTimeOffset(examinedAt.AddDays(20)), Place = "Camp 7 medical unit", Clinician = "duty physician",
        }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains(x.CaseId, refused.Status.Detail);
    }

    private async Task<List<OverdueItem>> OverdueCardsAsync(params string[] caseIds) =>
        (await Intake.ListOverdueAsync(new ListOverdueRequest { PageSize = 500 }, deadline: RegistryFixture.CallDeadline)).Items
            .Where(i => i.Kind == OverdueKind.CaptureCard && caseIds.Contains(i.CaseId)).ToList();

    private async Task<List<string>> FindAsync(string name) =>
        (await Intake.SearchCasesAsync(new SearchCasesRequest { Name = name, PageSize = 100 }, deadline: RegistryFixture.CallDeadline)).Cases.Select(c => c.CaseId).ToList();
}
