using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using static Registry.Custody.Tests.ReturnsFixture;

namespace Registry.Custody.Tests;

/// <summary>The non-refoulement risk assessments and the person's recorded wishes: history, the latest on the record, who entered them.</summary>
[Collection(ReturnsCollection.Name)]
public sealed class ReturnRiskTests(ReturnsFixture custody)
{
    [Fact]
    public async Task Assessments_are_kept_newest_first_and_the_latest_assessed_stands_on_the_record()
    {
        var caseId = await custody.HeldAsync();
        var undetermined = await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Undetermined, AdmittedAt.AddDays(5)));
        Assert.Equal(ReturnRisk.Undetermined, undetermined.Record.ReturnRisk);
        var high = await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.High, AdmittedAt.AddDays(20)));
        // An older assessment entered late goes into the history but does not replace the latest.
        var late = await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Low, AdmittedAt.AddDays(10)));

        Assert.Equal(ReturnRisk.High, late.Record.ReturnRisk);
        Assert.StartsWith("the risk on return was assessed high on", late.Record.NonRefoulementHold);
        Assert.Equal("UA-COORD", high.Assessment.AssessedByAgency);
        Assert.Equal("Maj. O. Petrenko, legal adviser", high.Assessment.AssessedBy);
        Assert.NotEqual("", high.Assessment.AssessedByClient);

        var listed = new List<ReturnRiskAssessment>();
        var token = "";
        do
        {
            var page = await custody.Client.ListReturnRiskAssessmentsAsync(new ListReturnRiskAssessmentsRequest { CaseId = caseId.ToString(), PageSize = 1, PageToken = token });
            listed.AddRange(page.Assessments);
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal([ReturnRisk.High, ReturnRisk.Low, ReturnRisk.Undetermined], listed.Select(a => a.Level));
        Assert.Equal(high.Assessment, listed[0]);
    }

    [Fact]
    public async Task An_icrc_delegates_wish_is_recorded_with_its_agency_and_the_latest_stands()
    {
        var caseId = await custody.HeldAsync();
        var first = await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.WishesToReturn, AdmittedAt.AddDays(3)));
        var second = await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.DoesNotWishToReturn, AdmittedAt.AddDays(15)));

        Assert.Equal("ICRC", second.Wish.TakenByAgency);
        Assert.Equal("ICRC delegate A. Keller", second.Wish.TakenBy);
        Assert.Equal(ReturnWish.WishesToReturn, first.Record.ReturnWish);
        Assert.Equal(ReturnWish.DoesNotWishToReturn, second.Record.ReturnWish);

        // The coordinator records a wish too, under its own agency, whatever the request says.
        var coordinators = await custody.Coordinator.RecordReturnWishAsync(Wish(caseId, ReturnWish.DoesNotWishToReturn, AdmittedAt.AddDays(16)));
        Assert.Equal("UA-COORD", coordinators.Wish.TakenByAgency);

        var wishes = await custody.Delegate.ListReturnWishesAsync(new ListReturnWishesRequest { CaseId = caseId.ToString(), PageSize = 10 });
        Assert.Equal([coordinators.Wish.WishId, second.Wish.WishId, first.Wish.WishId], wishes.Wishes.Select(w => w.WishId));
    }

    [Fact]
    public async Task A_retry_replays_the_first_answer_and_a_reused_request_id_is_refused()
    {
        var caseId = await custody.HeldAsync();
        var request = Assessment(caseId, ReturnRisk.High);
        var first = await custody.Coordinator.AssessReturnRiskAsync(request);
        var retry = await custody.Coordinator.AssessReturnRiskAsync(request);
        Assert.True(retry.Replayed);
        Assert.Equal(first.Assessment, retry.Assessment);
        var reused = request.Clone();
        reused.Level = ReturnRisk.Low;
        Assert.Equal(StatusCode.AlreadyExists, (await ReturnsAssert.RefusedAsync(custody.Coordinator.AssessReturnRiskAsync(reused))).StatusCode);

        var wish = Wish(caseId, ReturnWish.WishesToReturn);
        var recorded = await custody.Delegate.RecordReturnWishAsync(wish);
        var again = await custody.Delegate.RecordReturnWishAsync(wish);
        Assert.True(again.Replayed);
        Assert.Equal(recorded.Wish, again.Wish);

        var assessments = await custody.Client.ListReturnRiskAssessmentsAsync(new ListReturnRiskAssessmentsRequest { CaseId = caseId.ToString(), PageSize = 10 });
        Assert.Single(assessments.Assessments);
        Assert.Equal(ReturnRisk.High, (await custody.RecordAsync(caseId)).ReturnRisk);
    }

    [Fact]
    public async Task Roles_coordinator_assesses_delegate_and_coordinator_take_wishes_others_may_not()
    {
        var caseId = await custody.HeldAsync();
        var custodian = new CustodyService.CustodyServiceClient(custody.Service.As("UA-SBU", RegistryRoles.Custodian));
        var partner = new CustodyService.CustodyServiceClient(custody.Service.As("KR-NIS", RegistryRoles.Partner));
        var auditor = new CustodyService.CustodyServiceClient(custody.Service.As("UA-OMBUDSMAN", RegistryRoles.Auditor));

        Assert.Equal(StatusCode.PermissionDenied, (await ReturnsAssert.RefusedAsync(custodian.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Low)))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await ReturnsAssert.RefusedAsync(custody.Delegate.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Low)))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await ReturnsAssert.RefusedAsync(custodian.RecordReturnWishAsync(Wish(caseId, ReturnWish.WishesToReturn)))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await ReturnsAssert.RefusedAsync(partner.ListReturnWishesAsync(new ListReturnWishesRequest { CaseId = caseId.ToString(), PageSize = 10 }))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await ReturnsAssert.RefusedAsync(custodian.ListReturnWishesAsync(new ListReturnWishesRequest { CaseId = caseId.ToString(), PageSize = 10 }))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await ReturnsAssert.RefusedAsync(auditor.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Low)))).StatusCode);

        Assert.Empty((await auditor.ListReturnRiskAssessmentsAsync(new ListReturnRiskAssessmentsRequest { CaseId = caseId.ToString(), PageSize = 10 })).Assessments);
        Assert.Empty((await auditor.ListReturnWishesAsync(new ListReturnWishesRequest { CaseId = caseId.ToString(), PageSize = 10 })).Wishes);
        var record = await custody.RecordAsync(caseId);
        Assert.Equal(ReturnRisk.Unspecified, record.ReturnRisk);
        Assert.Equal(ReturnWish.Unspecified, record.ReturnWish);
    }

    public static TheoryData<string, Action<AssessReturnRiskRequest>> BadAssessments => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "case_id", r => r.CaseId = "" },
        { "case_id", r => r.CaseId = "RC-000031" },
        { "level", r => r.Level = ReturnRisk.Unspecified },
        { "level", r => r.Level = (ReturnRisk)9 },
        // Every level needs its grounds, a low one (which lifts the hold) as much as a high one.
        { "grounds", r => { r.Level = ReturnRisk.Low; r.Grounds = " "; } },
        { "grounds", r => r.Grounds = new string('g', 2001) },
        { "grounds", r => r.Grounds = "grounds\u0007" },
        { "assessed_at", r => r.AssessedAt = null },
        { "assessed_at", r => r.AssessedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(2)) },
        { "assessed_at", r => r.AssessedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(-1)) },
        { "assessed_by", r => r.AssessedBy = "" },
        { "assessed_by", r => r.AssessedBy = new string('a', 201) },
    };

    [Theory]
    [MemberData(nameof(BadAssessments))]
    public async Task A_bad_assessment_names_the_field_and_stores_nothing(string field, Action<AssessReturnRiskRequest> spoil)
    {
        var caseId = await custody.HeldAsync();
        var request = Assessment(caseId, ReturnRisk.High);
        spoil(request);
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Coordinator.AssessReturnRiskAsync(request)), field);
        Assert.Empty((await custody.Client.ListReturnRiskAssessmentsAsync(new ListReturnRiskAssessmentsRequest { CaseId = caseId.ToString(), PageSize = 10 })).Assessments);
        Assert.Equal(ReturnRisk.Unspecified, (await custody.RecordAsync(caseId)).ReturnRisk);
    }

    public static TheoryData<string, Action<RecordReturnWishRequest>> BadWishes => new()
    {
        { "request_id", r => r.RequestId = "not-a-uuid" },
        { "case_id", r => r.CaseId = "" },
        { "wish", r => r.Wish = ReturnWish.Unspecified },
        { "wish", r => r.Wish = (ReturnWish)7 },
        { "taken_at", r => r.TakenAt = null },
        { "taken_at", r => r.TakenAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(2)) },
        { "taken_at", r => r.TakenAt = Timestamp.FromDateTimeOffset(CapturedAt.AddHours(-1)) },
        { "taken_by", r => r.TakenBy = " " },
        { "taken_by", r => r.TakenBy = new string('t', 201) },
        { "note", r => r.Note = new string('n', 501) },
        { "note", r => r.Note = "private\ninterview" },
    };

    [Theory]
    [MemberData(nameof(BadWishes))]
    public async Task A_bad_wish_names_the_field_and_stores_nothing(string field, Action<RecordReturnWishRequest> spoil)
    {
        var caseId = await custody.HeldAsync();
        var request = Wish(caseId, ReturnWish.WishesToReturn);
        spoil(request);
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Delegate.RecordReturnWishAsync(request)), field);
        Assert.Empty((await custody.Delegate.ListReturnWishesAsync(new ListReturnWishesRequest { CaseId = caseId.ToString(), PageSize = 10 })).Wishes);
        Assert.Equal(ReturnWish.Unspecified, (await custody.RecordAsync(caseId)).ReturnWish);
    }

    [Fact]
    public async Task A_bad_page_request_names_the_field()
    {
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Client.ListReturnWishesAsync(new ListReturnWishesRequest { CaseId = "x", PageSize = 10 })), "case_id");
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Client.ListReturnRiskAssessmentsAsync(new ListReturnRiskAssessmentsRequest { CaseId = Guid.NewGuid().ToString(), PageSize = 0 })), "page_size");
    }
}
