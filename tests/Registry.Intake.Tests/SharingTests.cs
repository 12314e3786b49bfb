using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Audit.V1;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// Partner sharing in intake (issue 11): a coordinator shares a case with a partner agency for a purpose until
/// an end date; the partner reads exactly the cases shared with it, from the moment of the share until its
/// revocation or end date; the shares are listed, validated, idempotent, published on the bus and audited.
/// </summary>
public sealed class SharingTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private IntakeService.IntakeServiceClient Coordinator => new(intake.Service.As("UA-POW-HQ", RegistryRoles.Coordinator));

    private static string NewPartner() => "KR-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    private IntakeService.IntakeServiceClient Partner(string agency) => new(intake.Service.As(agency, RegistryRoles.Partner));

    private async Task<Case> RegisterAsync() => (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;

    private static ShareCaseRequest Share(string caseId, string partner, TimeSpan? validFor = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId,
        PartnerAgency = partner,
        Purpose = "family tracing request 2025/114",
        ValidUntil = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow + (validFor ?? TimeSpan.FromDays(30))),
    };

    [Fact]
    public async Task A_partner_reads_exactly_the_cases_shared_with_it_and_nothing_after_revocation()
    {
        var (a, b) = (await RegisterAsync(), await RegisterAsync());
        var agency = NewPartner();
        var partner = Partner(agency);

        var share = (await Coordinator.ShareCaseAsync(Share(a.CaseId, agency))).Share;
        Assert.True(share.Active);
        Assert.Equal((a.CaseId, a.CaseNumber, agency, "UA-POW-HQ"), (share.CaseId, share.CaseNumber, share.PartnerAgency, share.SharedByAgency));
        Assert.False(string.IsNullOrEmpty(share.SharedByClientId));

        Assert.Equal(a.CaseId, (await partner.GetCaseAsync(new GetCaseRequest { CaseId = a.CaseId })).Case.CaseId);
        var notShared = await Assert.ThrowsAsync<RpcException>(() => partner.GetCaseAsync(new GetCaseRequest { CaseId = b.CaseId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, notShared.StatusCode);
        Assert.Equal("NOT_SHARED", notShared.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        // Another partner agency sees nothing of it.
        var other = await Assert.ThrowsAsync<RpcException>(() => Partner(NewPartner()).GetCaseAsync(new GetCaseRequest { CaseId = a.CaseId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        // Identity only: the partner has no row for the identity history or the effects register.
        var history = await Assert.ThrowsAsync<RpcException>(() => partner.ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = a.CaseId, PageSize = 10 }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, history.StatusCode);

        var listed = await partner.ListSharedCasesAsync(new ListSharedCasesRequest { PageSize = 10 });
        Assert.Equal([(a.CaseId, a.CaseNumber, share.ShareId, share.Purpose)], listed.SharedCases.Select(c => (c.CaseId, c.CaseNumber, c.ShareId, c.Purpose)));
        // Only the coordinator and the auditor list a case's shares: they name the other partners.
        var listShares = await Assert.ThrowsAsync<RpcException>(() => partner.ListSharesAsync(new ListSharesRequest { CaseId = a.CaseId, PageSize = 10 }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, listShares.StatusCode);

        var revoked = (await Coordinator.RevokeShareAsync(new RevokeShareRequest { ShareId = share.ShareId, Reason = "tracing request closed" })).Share;
        Assert.False(revoked.Active);
        Assert.Equal(("UA-POW-HQ", "tracing request closed"), (revoked.RevokedByAgency, revoked.RevocationReason));

        // Intake decides from its own table: refused from the moment RevokeShare answered.
        var after = await Assert.ThrowsAsync<RpcException>(() => partner.GetCaseAsync(new GetCaseRequest { CaseId = a.CaseId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, after.StatusCode);
        Assert.Empty((await partner.ListSharedCasesAsync(new ListSharedCasesRequest { PageSize = 10 })).SharedCases);

        // Both changes went out through the outbox for the other services.
        var sharedEvent = await intake.Events.WaitForAsync<CaseShared>(e => e.ShareId.ToString() == share.ShareId, "CaseShared");
        Assert.Equal((Guid.Parse(a.CaseId), agency), (sharedEvent.CaseId, sharedEvent.PartnerAgency));
        var revokedEvent = await intake.Events.WaitForAsync<CaseShareRevoked>(e => e.ShareId.ToString() == share.ShareId, "CaseShareRevoked");
        Assert.Equal(revoked.RevokedAt.ToDateTimeOffset(), revokedEvent.RevokedAt);
    }

    [Fact]
    public async Task A_share_past_its_end_date_is_not_active_without_any_job()
    {
        var a = await RegisterAsync();
        var agency = NewPartner();
        var share = (await Coordinator.ShareCaseAsync(Share(a.CaseId, agency, TimeSpan.FromSeconds(2)))).Share;
        Assert.Equal(a.CaseId, (await Partner(agency).GetCaseAsync(new GetCaseRequest { CaseId = a.CaseId })).Case.CaseId);

        await Task.Delay(share.ValidUntil.ToDateTimeOffset() - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200));

        var expired = await Assert.ThrowsAsync<RpcException>(() => Partner(agency).GetCaseAsync(new GetCaseRequest { CaseId = a.CaseId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, expired.StatusCode);
        Assert.Empty((await Partner(agency).ListSharedCasesAsync(new ListSharedCasesRequest { PageSize = 10 })).SharedCases);
        var ended = Assert.Single((await Coordinator.ListSharesAsync(new ListSharesRequest { CaseId = a.CaseId, IncludeEnded = true, PageSize = 10 })).Shares);
        Assert.False(ended.Active);
        Assert.Null(ended.RevokedAt);
    }

    [Fact]
    public async Task ShareCase_is_idempotent_on_request_id_and_revocation_answers_the_first_one()
    {
        var a = await RegisterAsync();
        var request = Share(a.CaseId, NewPartner());

        var first = await Coordinator.ShareCaseAsync(request);
        var again = await Coordinator.ShareCaseAsync(request);
        Assert.False(first.Replayed);
        Assert.True(again.Replayed);
        Assert.Equal(first.Share.ShareId, again.Share.ShareId);
        Assert.Equal(1, await intake.QueryAsync(db => db.CaseShares.CountAsync(s => s.CaseId == Guid.Parse(a.CaseId))));

        var reused = request.Clone();
        reused.Purpose = "something else";
        var conflict = await Assert.ThrowsAsync<RpcException>(() => Coordinator.ShareCaseAsync(reused).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        var revoked = (await Coordinator.RevokeShareAsync(new RevokeShareRequest { ShareId = first.Share.ShareId, Reason = "first" })).Share;
        var revokedAgain = (await Coordinator.RevokeShareAsync(new RevokeShareRequest { ShareId = first.Share.ShareId, Reason = "second" })).Share;
        Assert.Equal(revoked, revokedAgain);
        Assert.Equal("first", revokedAgain.RevocationReason);
        Assert.Equal(1, await intake.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.MessageType.Contains("CaseShareRevoked") && m.Payload.Contains(first.Share.ShareId))));
    }

    [Fact]
    public async Task Bad_input_is_invalid_argument_naming_each_field_and_stores_nothing()
    {
        var before = await intake.QueryAsync(db => db.CaseShares.CountAsync());
        var error = await Assert.ThrowsAsync<RpcException>(() => Coordinator.ShareCaseAsync(new ShareCaseRequest
        {
            RequestId = "not-a-uuid",
            CaseId = "",
            PartnerAgency = "kr nis",
            Purpose = new string('p', 501),
            ValidUntil = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["case_id", "partner_agency", "purpose", "request_id", "valid_until"], Fields(error));

        var a = await RegisterAsync();
        var tooLong = Share(a.CaseId, NewPartner(), TimeSpan.FromDays(367));
        var farAhead = await Assert.ThrowsAsync<RpcException>(() => Coordinator.ShareCaseAsync(tooLong).ResponseAsync);
        Assert.Equal(["valid_until"], Fields(farAhead));
        var missing = Share(a.CaseId, NewPartner());
        missing.ValidUntil = null;
        missing.Purpose = " ";
        Assert.Equal(["purpose", "valid_until"], Fields(await Assert.ThrowsAsync<RpcException>(() => Coordinator.ShareCaseAsync(missing).ResponseAsync)));

        var revoke = await Assert.ThrowsAsync<RpcException>(() => Coordinator.RevokeShareAsync(new RevokeShareRequest { ShareId = "x" }).ResponseAsync);
        Assert.Equal(["reason", "share_id"], Fields(revoke));
        var list = await Assert.ThrowsAsync<RpcException>(() => Coordinator.ListSharesAsync(new ListSharesRequest { CaseId = "x", PartnerAgency = "a b", PageSize = 0 }).ResponseAsync);
        Assert.Equal(["case_id", "page_size", "partner_agency"], Fields(list));

        Assert.Equal(before, await intake.QueryAsync(db => db.CaseShares.CountAsync()));
    }

    [Fact]
    public async Task An_unknown_case_or_share_is_not_found_and_a_merged_case_is_refused()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => Coordinator.ShareCaseAsync(Share(Guid.NewGuid().ToString(), NewPartner())).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var unknownShare = await Assert.ThrowsAsync<RpcException>(() => Coordinator.RevokeShareAsync(new RevokeShareRequest { ShareId = Guid.NewGuid().ToString(), Reason = "r" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknownShare.StatusCode);

        var (survivor, merged) = (await RegisterAsync(), await RegisterAsync());
        await intake.Client.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = survivor.CaseId, SurvivorRevision = survivor.Revision,
            MergedCaseId = merged.CaseId, MergedRevision = merged.Revision, Reason = "same man",
        });
        var refused = await Assert.ThrowsAsync<RpcException>(() => Coordinator.ShareCaseAsync(Share(merged.CaseId, NewPartner())).ResponseAsync);
        RpcAssert.RuleViolation(refused, "CASE_MERGED", $"cases/{merged.CaseId}");
        Assert.Equal(0, await intake.QueryAsync(db => db.CaseShares.CountAsync(s => s.CaseId == Guid.Parse(merged.CaseId))));
    }

    [Fact]
    public async Task Shares_are_listed_by_case_and_by_partner_active_or_all_in_order_across_pages()
    {
        var (a, b) = (await RegisterAsync(), await RegisterAsync());
        var (p1, p2) = (NewPartner(), NewPartner());
        var s1 = (await Coordinator.ShareCaseAsync(Share(a.CaseId, p1))).Share;
        var s2 = (await Coordinator.ShareCaseAsync(Share(a.CaseId, p2))).Share;
        var s3 = (await Coordinator.ShareCaseAsync(Share(b.CaseId, p1))).Share;
        await Coordinator.RevokeShareAsync(new RevokeShareRequest { ShareId = s1.ShareId, Reason = "done" });

        Assert.Equal([s2.ShareId], await ListAllAsync(new ListSharesRequest { CaseId = a.CaseId, PageSize = 1 }));
        Assert.Equal([s1.ShareId, s2.ShareId], await ListAllAsync(new ListSharesRequest { CaseId = a.CaseId, IncludeEnded = true, PageSize = 1 }));
        Assert.Equal([s1.ShareId, s3.ShareId], await ListAllAsync(new ListSharesRequest { PartnerAgency = p1, IncludeEnded = true, PageSize = 1 }));
        Assert.Equal([s3.ShareId], await ListAllAsync(new ListSharesRequest { PartnerAgency = p1, PageSize = 5 }));

        // The auditor lists them too; a token of another query is refused.
        var auditor = new IntakeService.IntakeServiceClient(intake.Service.As("UA-OMBUDSMAN", RegistryRoles.Auditor));
        var page = await auditor.ListSharesAsync(new ListSharesRequest { CaseId = a.CaseId, IncludeEnded = true, PageSize = 1 });
        Assert.NotEmpty(page.NextPageToken);
        var forged = await Assert.ThrowsAsync<RpcException>(() => auditor.ListSharesAsync(new ListSharesRequest { CaseId = b.CaseId, IncludeEnded = true, PageSize = 1, PageToken = page.NextPageToken }).ResponseAsync);
        Assert.Equal(["page_token"], Fields(forged));

        // ListSharedCases pages too, and a partner's token is tied to its own agency.
        var partner = Partner(p2);
        await Coordinator.ShareCaseAsync(Share(b.CaseId, p2));
        var first = await partner.ListSharedCasesAsync(new ListSharedCasesRequest { PageSize = 1 });
        var second = await partner.ListSharedCasesAsync(new ListSharedCasesRequest { PageSize = 1, PageToken = first.NextPageToken });
        Assert.Equal([a.CaseId, b.CaseId], first.SharedCases.Concat(second.SharedCases).Select(c => c.CaseId));
        var stolen = await Assert.ThrowsAsync<RpcException>(() => Partner(p1).ListSharedCasesAsync(new ListSharedCasesRequest { PageSize = 1, PageToken = first.NextPageToken }).ResponseAsync);
        Assert.Equal(["page_token"], Fields(stolen));
    }

    [Fact]
    public async Task Only_the_coordinator_shares_and_the_share_is_in_intakes_audit_with_its_case()
    {
        var a = await RegisterAsync();
        foreach (var role in RegistryRoles.All.Where(r => r != RegistryRoles.Coordinator))
        {
            var client = new IntakeService.IntakeServiceClient(intake.Service.As("UA-POW-HQ", role));
            var refused = await Assert.ThrowsAsync<RpcException>(() => client.ShareCaseAsync(Share(a.CaseId, NewPartner())).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }

        Assert.Equal(0, await intake.QueryAsync(db => db.CaseShares.CountAsync(s => s.CaseId == Guid.Parse(a.CaseId))));
        var share = (await Coordinator.ShareCaseAsync(Share(a.CaseId, NewPartner()))).Share;
        await Coordinator.RevokeShareAsync(new RevokeShareRequest { ShareId = share.ShareId, Reason = "done" });

        var audit = new AccessAuditService.AccessAuditServiceClient(intake.Service.As("UA-OMBUDSMAN", RegistryRoles.Auditor));
        var events = (await audit.ListAccessEventsAsync(new ListAccessEventsRequest { CaseId = a.CaseId, PageSize = 100 })).Events;
        var shared = Assert.Single(events, e => e.Method == "registry.intake.v1.IntakeService/ShareCase" && e.Outcome == "OK");
        Assert.Equal(("UA-POW-HQ", "coordinator"), (shared.Agency, shared.Roles));
        Assert.Contains(a.CaseId, shared.CaseIds);
        // RevokeShare names only the share: its case is taken from the answer.
        Assert.Contains(events, e => e.Method == "registry.intake.v1.IntakeService/RevokeShare" && e.Outcome == "OK");
        Assert.Contains(events, e => e.Method == "registry.intake.v1.IntakeService/ShareCase" && e.Outcome == "PERMISSION_DENIED" && e.Roles == "partner");
    }

    private async Task<List<string>> ListAllAsync(ListSharesRequest request)
    {
        var ids = new List<string>();
        do
        {
            var page = await Coordinator.ListSharesAsync(request);
            ids.AddRange(page.Shares.Select(s => s.ShareId));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return ids;
    }

    private static List<string> Fields(RpcException error) =>
        [.. (error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field) ?? []).Order(StringComparer.Ordinal)];
}
