using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>Official enquiries (GC III Art. 121): opened by the deaths that call for one and for serious injuries, closed by the coordinator.</summary>
public sealed class EnquiryTests(MedicalEventsFixture medical) : IClassFixture<MedicalEventsFixture>
{
    private static OpenEnquiryRequest Injury(Guid caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Grounds = EnquiryGrounds.SeriousInjuryCausedByGuard,
        OccurredAt = Timestamp.FromDateTimeOffset(MedicalEventsFixture.CapturedAt.AddDays(10)),
        Circumstances = "Struck with a rifle butt by a sentry during the evening count",
    };

    [Theory]
    [InlineData(DeathManner.Unknown, EnquiryGrounds.DeathOfUnknownCause)]
    [InlineData(DeathManner.CausedByGuard, EnquiryGrounds.DeathCausedByGuard)]
    [InlineData(DeathManner.CausedByAnotherPrisoner, EnquiryGrounds.DeathCausedByAnotherPrisoner)]
    [InlineData(DeathManner.CausedByOtherPerson, EnquiryGrounds.DeathCausedByOtherPerson)]
    [InlineData(DeathManner.Natural, null)]
    [InlineData(DeathManner.Illness, null)]
    [InlineData(DeathManner.Wounds, null)]
    [InlineData(DeathManner.Accident, null)]
    [InlineData(DeathManner.Suicide, null)]
    public async Task A_death_opens_an_enquiry_for_the_manners_Art_121_names_only(DeathManner manner, EnquiryGrounds? grounds)
    {
        var caseId = await medical.RegisteredAsync();

        var recorded = await medical.As("UA-SBU", RegistryRoles.Medic).RecordDeathAsync(DeathTests.Death(caseId, manner));

        var listed = (await medical.As("UA-COORD", RegistryRoles.Coordinator).ListEnquiriesAsync(new ListEnquiriesRequest { CaseId = caseId.ToString(), PageSize = 10 })).Enquiries;
        var published = await medical.Events.WaitForAsync<DeathRecorded>(e => e.CaseId == caseId, "DeathRecorded");
        if (grounds is null)
        {
            Assert.Null(recorded.Enquiry);
            Assert.Empty(listed);
            Assert.Null(published.EnquiryReference);
            return;
        }

        var enquiry = Assert.Single(listed);
        Assert.Equal(recorded.Enquiry, enquiry);
        Assert.Equal(recorded.Death.EnquiryId, enquiry.EnquiryId);
        Assert.Equal((grounds.Value, EnquiryStatus.Open), (enquiry.Grounds, enquiry.Status));
        Assert.Equal(DeathTests.DiedAt, enquiry.OccurredAt.ToDateTimeOffset());
        Assert.Matches(@"^RC-\d{6}/ENQ-1$", enquiry.Reference);
        Assert.Equal("UA-SBU", enquiry.OpenedByAgency);
        // No clinical detail: the certified cause is not in what the coordinator reads.
        Assert.DoesNotContain("Sepsis", enquiry.Circumstances);
        Assert.Equal(enquiry.Reference, published.EnquiryReference);
    }

    [Fact]
    public async Task The_coordinator_opens_an_enquiry_into_a_serious_injury_and_closes_it_with_its_findings_once()
    {
        var caseId = await medical.RegisteredAsync();
        var coordinator = medical.As("UA-COORD", RegistryRoles.Coordinator);

        var opened = (await coordinator.OpenEnquiryAsync(Injury(caseId))).Enquiry;

        Assert.Equal((EnquiryStatus.Open, EnquiryGrounds.SeriousInjuryCausedByGuard, "UA-COORD"), (opened.Status, opened.Grounds, opened.OpenedByAgency));
        var second = (await medical.As("UA-SBU", RegistryRoles.Medic).OpenEnquiryAsync(Injury(caseId))).Enquiry;
        Assert.EndsWith("/ENQ-2", second.Reference);

        var close = new CloseEnquiryRequest { RequestId = Guid.NewGuid().ToString(), EnquiryId = opened.EnquiryId, Findings = "The sentry exceeded his orders; disciplinary proceedings opened." };
        var closed = (await coordinator.CloseEnquiryAsync(close)).Enquiry;
        Assert.Equal(EnquiryStatus.Closed, closed.Status);
        Assert.Equal("UA-COORD", closed.ClosedByAgency);
        Assert.NotNull(closed.ClosedAt);
        Assert.True((await coordinator.CloseEnquiryAsync(close)).Replayed);
        var again = close.Clone();
        again.RequestId = Guid.NewGuid().ToString();
        RpcAssert.RuleViolation(await Assert.ThrowsAsync<RpcException>(() => coordinator.CloseEnquiryAsync(again).ResponseAsync), "ENQUIRY_CLOSED", $"enquiries/{opened.EnquiryId}");

        // The open ones, the closed ones, both; the auditor reads them too; the medic does not close.
        var auditor = medical.As("UA-AUDIT", RegistryRoles.Auditor);
        Assert.Equal([second.EnquiryId], (await auditor.ListEnquiriesAsync(new ListEnquiriesRequest { CaseId = caseId.ToString(), Status = EnquiryStatus.Open, PageSize = 10 })).Enquiries.Select(e => e.EnquiryId));
        Assert.Equal([opened.EnquiryId], (await auditor.ListEnquiriesAsync(new ListEnquiriesRequest { CaseId = caseId.ToString(), Status = EnquiryStatus.Closed, PageSize = 10 })).Enquiries.Select(e => e.EnquiryId));
        var medicClose = new CloseEnquiryRequest { RequestId = Guid.NewGuid().ToString(), EnquiryId = second.EnquiryId, Findings = "none" };
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            medical.As("UA-SBU", RegistryRoles.Medic).CloseEnquiryAsync(medicClose).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            medical.As("UA-SBU", RegistryRoles.Custodian).ListEnquiriesAsync(new ListEnquiriesRequest { PageSize = 10 }).ResponseAsync)).StatusCode);
    }

    private static OpenEnquiryRequest IntoTheDeath(Guid caseId, EnquiryGrounds grounds, DateTimeOffset? occurredAt = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Grounds = grounds,
        OccurredAt = Timestamp.FromDateTimeOffset(occurredAt ?? DeathTests.DiedAt),
        Circumstances = "Fellow prisoners state he was beaten by a sentry the night before",
    };

    [Fact]
    public async Task After_a_death_the_enquiry_into_it_is_closed_and_a_serious_injury_before_it_is_enquired_into_but_none_dated_after_it()
    {
        var caseId = await medical.RegisteredAsync();
        var enquiry = (await medical.Client.RecordDeathAsync(DeathTests.Death(caseId, DeathManner.CausedByAnotherPrisoner))).Enquiry;

        var closed = await medical.Client.CloseEnquiryAsync(new CloseEnquiryRequest { RequestId = Guid.NewGuid().ToString(), EnquiryId = enquiry.EnquiryId, Findings = "Killed in a fight over rations." });

        Assert.Equal(EnquiryStatus.Closed, closed.Enquiry.Status);
        Assert.EndsWith("/ENQ-2", (await medical.Client.OpenEnquiryAsync(Injury(caseId))).Enquiry.Reference);
        foreach (var late in new[] { Injury(caseId), IntoTheDeath(caseId, EnquiryGrounds.DeathCausedByGuard) })
        {
            late.OccurredAt = Timestamp.FromDateTimeOffset(DeathTests.DiedAt.AddHours(1));
            var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.OpenEnquiryAsync(late).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Equal("occurred_at", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
        }

        Assert.Equal(2, await medical.QueryAsync(db => db.Enquiries.CountAsync(e => e.CaseId == caseId)));
    }

    [Fact]
    public async Task A_suspicion_after_a_death_certified_natural_opens_its_enquiry_once_on_each_grounds_while_open()
    {
        var caseId = await medical.RegisteredAsync();
        var death = await medical.As("UA-SBU", RegistryRoles.Medic).RecordDeathAsync(DeathTests.Death(caseId, DeathManner.Natural));
        Assert.Null(death.Enquiry);
        var coordinator = medical.As("UA-COORD", RegistryRoles.Coordinator);

        var opened = (await coordinator.OpenEnquiryAsync(IntoTheDeath(caseId, EnquiryGrounds.DeathCausedByGuard))).Enquiry;

        Assert.Equal((EnquiryGrounds.DeathCausedByGuard, EnquiryStatus.Open, "UA-COORD"), (opened.Grounds, opened.Status, opened.OpenedByAgency));
        Assert.EndsWith("/ENQ-1", opened.Reference);
        Assert.Equal(MedicalStatus.Deceased, (await medical.SummaryAsync(caseId)).Status);
        var twice = await Assert.ThrowsAsync<RpcException>(() => coordinator.OpenEnquiryAsync(IntoTheDeath(caseId, EnquiryGrounds.DeathCausedByGuard)).ResponseAsync);
        RpcAssert.RuleViolation(twice, "ENQUIRY_OPEN", $"enquiries/{opened.EnquiryId}");
        Assert.EndsWith("/ENQ-2", (await coordinator.OpenEnquiryAsync(IntoTheDeath(caseId, EnquiryGrounds.DeathOfUnknownCause))).Enquiry.Reference);

        // Once closed, new facts may open another on the same grounds.
        await coordinator.CloseEnquiryAsync(new CloseEnquiryRequest { RequestId = Guid.NewGuid().ToString(), EnquiryId = opened.EnquiryId, Findings = "No sentry was on duty." });
        Assert.EndsWith("/ENQ-3", (await coordinator.OpenEnquiryAsync(IntoTheDeath(caseId, EnquiryGrounds.DeathCausedByGuard, DeathTests.DiedAt.AddDays(-1)))).Enquiry.Reference);
    }

    [Fact]
    public async Task The_death_a_death_enquiry_was_opened_for_refuses_a_second_one_on_its_grounds()
    {
        var caseId = await medical.RegisteredAsync();
        var enquiry = (await medical.Client.RecordDeathAsync(DeathTests.Death(caseId, DeathManner.Unknown))).Enquiry;

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.OpenEnquiryAsync(IntoTheDeath(caseId, EnquiryGrounds.DeathOfUnknownCause)).ResponseAsync);

        RpcAssert.RuleViolation(error, "ENQUIRY_OPEN", $"enquiries/{enquiry.EnquiryId}");
    }

    [Theory]
    [InlineData(EnquiryGrounds.DeathOfUnknownCause)]
    [InlineData(EnquiryGrounds.DeathCausedByGuard)]
    [InlineData(EnquiryGrounds.DeathCausedByAnotherPrisoner)]
    [InlineData(EnquiryGrounds.DeathCausedByOtherPerson)]
    public async Task Death_grounds_need_a_recorded_death(EnquiryGrounds grounds)
    {
        var caseId = await medical.RegisteredAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.OpenEnquiryAsync(IntoTheDeath(caseId, grounds, MedicalEventsFixture.CapturedAt.AddDays(3))).ResponseAsync);

        RpcAssert.RuleViolation(error, "NO_DEATH_RECORDED", $"cases/{caseId}");
        Assert.Equal(0, await medical.QueryAsync(db => db.Enquiries.CountAsync(e => e.CaseId == caseId)));
    }

    [Fact]
    public async Task Enquiries_are_listed_page_by_page_in_the_order_opened()
    {
        var caseId = await medical.RegisteredAsync();
        var opened = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            opened.Add((await medical.Client.OpenEnquiryAsync(Injury(caseId))).Enquiry.EnquiryId);
        }

        var listed = new List<string>();
        var token = "";
        do
        {
            var page = await medical.Client.ListEnquiriesAsync(new ListEnquiriesRequest { CaseId = caseId.ToString(), PageSize = 2, PageToken = token });
            listed.AddRange(page.Enquiries.Select(e => e.EnquiryId));
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal(opened, listed);
        var forged = await Assert.ThrowsAsync<RpcException>(() =>
            medical.Client.ListEnquiriesAsync(new ListEnquiriesRequest { Status = EnquiryStatus.Open, CaseId = caseId.ToString(), PageSize = 2, PageToken = "forged" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, forged.StatusCode);
    }

    public static TheoryData<string, Action<OpenEnquiryRequest>> BadOpenings => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "case_id", r => r.CaseId = "x" },
        { "grounds", r => r.Grounds = EnquiryGrounds.Unspecified },
        { "grounds", r => r.Grounds = (EnquiryGrounds)77 },
        { "occurred_at", r => r.OccurredAt = null },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(2)) },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(MedicalEventsFixture.CapturedAt.AddDays(-2)) },
        { "circumstances", r => r.Circumstances = "" },
        { "circumstances", r => r.Circumstances = new string('x', 2001) },
    };

    [Theory]
    [MemberData(nameof(BadOpenings))]
    public async Task A_bad_opening_names_the_field_and_stores_nothing(string field, Action<OpenEnquiryRequest> spoil)
    {
        var caseId = await medical.RegisteredAsync();
        var request = Injury(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.OpenEnquiryAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await medical.QueryAsync(db => db.Enquiries.CountAsync(e => e.CaseId == caseId)));
    }

    public static TheoryData<string, Action<CloseEnquiryRequest>> BadClosings => new()
    {
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        { "enquiry_id", r => r.EnquiryId = "" },
        { "findings", r => r.Findings = "" },
        { "findings", r => r.Findings = new string('x', 4001) },
        { "findings", r => r.Findings = "found\u2028nothing" },
    };

    [Theory]
    [MemberData(nameof(BadClosings))]
    public async Task A_bad_closing_names_the_field_and_leaves_the_enquiry_open(string field, Action<CloseEnquiryRequest> spoil)
    {
        var caseId = await medical.RegisteredAsync();
        var enquiry = (await medical.Client.OpenEnquiryAsync(Injury(caseId))).Enquiry;
        var request = new CloseEnquiryRequest { RequestId = Guid.NewGuid().ToString(), EnquiryId = enquiry.EnquiryId, Findings = "findings" };
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.CloseEnquiryAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(Registry.Medical.Domain.EnquiryStatus.Open, await medical.QueryAsync(db => db.Enquiries.Where(e => e.CaseId == caseId).Select(e => e.Status).SingleAsync()));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("case_id")]
    [InlineData("page_size")]
    public async Task A_bad_list_request_names_the_field(string field)
    {
        var request = new ListEnquiriesRequest { PageSize = 10 };
        switch (field)
        {
            case "status": request.Status = (EnquiryStatus)5; break;
            case "case_id": request.CaseId = "nope"; break;
            default: request.PageSize = 0; break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.ListEnquiriesAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task Closing_an_unknown_enquiry_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.CloseEnquiryAsync(
            new CloseEnquiryRequest { RequestId = Guid.NewGuid().ToString(), EnquiryId = Guid.NewGuid().ToString(), Findings = "x" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}
