using Microsoft.EntityFrameworkCore;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using static Registry.Custody.Tests.ReturnsFixture;

namespace Registry.Custody.Tests;

/// <summary>
/// The non-refoulement facts in the hash-chained timeline (GC III Art. 118): each risk assessment and each recorded wish
/// is an event, and VerifyCustodyChain compares the record's hold-deciding fields with what the events imply, against
/// rows altered in PostgreSQL. Records whose assessments predate the events are not reported broken.
/// </summary>
[Collection(ReturnsCollection.Name)]
public sealed class ReturnChainTests(ReturnsFixture custody)
{
    private Task<VerifyCustodyChainResponse> VerifyAsync(Guid caseId) =>
        custody.Coordinator.VerifyCustodyChainAsync(new VerifyCustodyChainRequest { CaseId = caseId.ToString() }).ResponseAsync;

    private async Task<List<CustodyEvent>> TimelineAsync(Guid caseId, CustodyService.CustodyServiceClient? client = null) =>
        [.. (await (client ?? custody.Coordinator).ListCustodyEventsAsync(new ListCustodyEventsRequest { CaseId = caseId.ToString(), PageSize = 50 })).Events];

    [Fact]
    public async Task Each_assessment_and_wish_is_a_timeline_event_carrying_the_level_or_the_wish_and_when_and_nothing_more()
    {
        var caseId = await custody.HeldAsync();
        var high = await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.High, AdmittedAt.AddDays(20)));
        var wish = await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.DoesNotWishToReturn, AdmittedAt.AddDays(15)));
        // An older assessment entered late: an event too, and the record keeps the latest.
        await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Low, AdmittedAt.AddDays(10)));

        var events = await TimelineAsync(caseId);
        Assert.Equal([CustodyEventKind.Captured, CustodyEventKind.Admitted, CustodyEventKind.ReturnRiskAssessed, CustodyEventKind.ReturnWishRecorded,
            CustodyEventKind.ReturnRiskAssessed], events.Select(e => e.Kind));
        Assert.Equal($"return risk assessed HIGH; assessment {high.Assessment.AssessmentId}", events[2].Note);
        Assert.Equal(AdmittedAt.AddDays(20), events[2].OccurredAt.ToDateTimeOffset());
        Assert.Equal($"wish about return recorded: DOES_NOT_WISH_TO_RETURN; wish {wish.Wish.WishId}", events[3].Note);
        Assert.Equal(AdmittedAt.AddDays(15), events[3].OccurredAt.ToDateTimeOffset());
        // Neither the grounds nor the interview's circumstances nor who took the wish enter the timeline.
        Assert.All(events.Skip(2), e => Assert.DoesNotContain("ordered to kill", e.Note));
        Assert.All(events.Skip(2), e => Assert.DoesNotContain("Keller", e.Note));
        Assert.All(events.Skip(2), e => Assert.DoesNotContain("Korean", e.Note));
        Assert.Equal(ReturnRisk.High, (await custody.RecordAsync(caseId)).ReturnRisk);
        Assert.Equal(events[^1].Hash, (await custody.RecordAsync(caseId)).HeadHash);

        var intact = await VerifyAsync(caseId);
        Assert.True(intact.Intact, intact.FirstBreak?.Detail);
        Assert.Equal(5, intact.EventCount);
    }

    [Fact]
    public async Task A_wish_events_note_is_withheld_from_the_roles_that_do_not_see_the_wish()
    {
        var caseId = await custody.HeldAsync();
        await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.DoesNotWishToReturn));
        await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.High));

        var custodian = new CustodyService.CustodyServiceClient(custody.Service.As("UA-SBU", RegistryRoles.Custodian));
        var seen = await TimelineAsync(caseId, custodian);
        var wish = Assert.Single(seen, e => e.Kind == CustodyEventKind.ReturnWishRecorded);
        Assert.Equal("", wish.Note);
        Assert.Equal(["note"], wish.WithheldFields);
        // The level is on the record for every reader; its event is not withheld.
        Assert.StartsWith("return risk assessed HIGH", Assert.Single(seen, e => e.Kind == CustodyEventKind.ReturnRiskAssessed).Note);
        Assert.StartsWith("wish about return recorded: DOES_NOT_WISH_TO_RETURN", Assert.Single(await TimelineAsync(caseId, custody.Delegate), e => e.Kind == CustodyEventKind.ReturnWishRecorded).Note);
        // A custodian may verify the chain: the server checks the withheld note.
        Assert.True((await custodian.VerifyCustodyChainAsync(new VerifyCustodyChainRequest { CaseId = caseId.ToString() })).Intact);
    }

    [Fact]
    public async Task VerifyCustodyChain_names_a_return_risk_lowered_in_the_database()
    {
        var caseId = await custody.HeldAsync();
        await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.High));
        await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.WishesToReturn));
        Assert.True((await VerifyAsync(caseId)).Intact);
        Assert.NotEqual("", (await custody.RecordAsync(caseId)).NonRefoulementHold);

        // Someone with database access lowers the risk (the column custody_records."ReturnRisk", the enum's name as text),
        // which lifts the hold: the person could be repatriated to where they run a real risk.
        Assert.Equal(1, await custody.QueryAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE custody_records SET \"ReturnRisk\" = 'Low' WHERE \"CaseId\" = {caseId} AND \"ReturnRisk\" = 'High'")));
        Assert.Equal("", (await custody.RecordAsync(caseId)).NonRefoulementHold);

        var verified = await VerifyAsync(caseId);
        Assert.False(verified.Intact);
        Assert.Equal((ChainBreakReason.RecordFieldMismatch, "return_risk", 3L),
            (verified.FirstBreak.Reason, verified.FirstBreak.Field, verified.FirstBreak.Sequence));
        Assert.Contains("return_risk is LOW", verified.FirstBreak.Detail);
        Assert.Contains("is HIGH", verified.FirstBreak.Detail);
        // The timeline itself is whole: it is the record that disagrees with it.
        Assert.Equal(4, verified.EventCount);
        Assert.True(verified.HeadMatchesRecord);
    }

    [Fact]
    public async Task VerifyCustodyChain_names_a_wish_or_an_instant_altered_in_the_database_without_saying_the_wish()
    {
        var caseId = await custody.HeldAsync();
        await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Low));
        await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.DoesNotWishToReturn));
        Assert.True((await VerifyAsync(caseId)).Intact);

        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE custody_records SET \"ReturnWish\" = 'WishesToReturn' WHERE \"CaseId\" = {caseId}"));
        var wish = (await VerifyAsync(caseId)).FirstBreak;
        Assert.Equal((ChainBreakReason.RecordFieldMismatch, "return_wish", 4L), (wish.Reason, wish.Field, wish.Sequence));
        Assert.DoesNotContain("WISH", wish.Detail);

        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE custody_records SET \"ReturnWish\" = 'DoesNotWishToReturn', \"ReturnRiskAssessedAt\" = \"ReturnRiskAssessedAt\" + interval '1 day' WHERE \"CaseId\" = {caseId}"));
        var at = (await VerifyAsync(caseId)).FirstBreak;
        Assert.Equal((ChainBreakReason.RecordFieldMismatch, "return_risk_assessed_at", 3L), (at.Reason, at.Field, at.Sequence));
    }

    [Fact]
    public async Task An_assessment_entered_before_assessments_were_events_is_not_reported_broken_and_enters_the_timeline_with_the_next()
    {
        var caseId = await custody.HeldAsync();
        // As the rows of an earlier version stand: the risk and the wish on the record (and in their own tables), no event.
        var assessedAt = AdmittedAt.AddDays(20);
        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE custody_records SET \"ReturnRisk\" = 'High', \"ReturnRiskAssessedAt\" = {assessedAt}, \"ReturnWish\" = 'DoesNotWishToReturn', \"ReturnWishRecordedAt\" = {assessedAt} WHERE \"CaseId\" = {caseId}"));
        var legacy = await VerifyAsync(caseId);
        Assert.True(legacy.Intact, legacy.FirstBreak?.Detail);

        // An older assessment entered now: the standing one enters the timeline first, then this one; the standing one stays.
        await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Low, AdmittedAt.AddDays(5)));
        await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.WishesToReturn, AdmittedAt.AddDays(5)));
        var events = await TimelineAsync(caseId);
        Assert.Equal(["return risk assessed HIGH; the standing assessment, entered before assessments were timeline events"],
            events.Where(e => e.Kind == CustodyEventKind.ReturnRiskAssessed).Take(1).Select(e => e.Note));
        Assert.Equal(4, events.Count(e => e.Kind is CustodyEventKind.ReturnRiskAssessed or CustodyEventKind.ReturnWishRecorded));
        var record = await custody.RecordAsync(caseId);
        Assert.Equal((ReturnRisk.High, ReturnWish.DoesNotWishToReturn), (record.ReturnRisk, record.ReturnWish));
        var verified = await VerifyAsync(caseId);
        Assert.True(verified.Intact, verified.FirstBreak?.Detail);

        // From then on the risk is compared.
        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync($"UPDATE custody_records SET \"ReturnRisk\" = 'None' WHERE \"CaseId\" = {caseId}"));
        Assert.Equal("return_risk", (await VerifyAsync(caseId)).FirstBreak.Field);
    }

    [Fact]
    public async Task VerifyCustodyChain_names_a_place_or_custodian_altered_in_the_database()
    {
        var caseId = await custody.HeldAsync();
        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync($"UPDATE custody_records SET \"FacilityLocality\" = 'Lviv' WHERE \"CaseId\" = {caseId}"));
        var place = (await VerifyAsync(caseId)).FirstBreak;
        Assert.Equal((ChainBreakReason.RecordFieldMismatch, "facility", 2L), (place.Reason, place.Field, place.Sequence));
        Assert.Contains("SBU detention facility, Kyiv, UA", place.Detail);

        var other = await custody.HeldAsync();
        await custody.QueryAsync(db => db.Database.ExecuteSqlAsync($"UPDATE custody_records SET \"CustodianAgency\" = 'UA-NGU' WHERE \"CaseId\" = {other}"));
        Assert.Equal("custodian_agency", (await VerifyAsync(other)).FirstBreak.Field);
    }
}
