using Google.Rpc;
using Grpc.Core;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>
/// Custody enforces partner sharing on its own data from its copy of intake's shares (CaseShared,
/// CaseShareRevoked): the partner reads the custody record and timeline of a case shared with it, of no other
/// case, and of none after the revocation, whatever order the two events arrive in, however often.
/// </summary>
public sealed class SharingTests(CustodyFixture custody) : IClassFixture<CustodyFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static string NewPartner() => "KR-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    private CustodyService.CustodyServiceClient Partner(string agency) => new(custody.Service.As(agency, RegistryRoles.Partner));

    private async Task<Guid> RegisterAsync()
    {
        var caseId = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId,
            CaseNumber = "RC-000042",
            FamilyName = "리",
            GivenNames = "정혁",
            CapturedAt = new DateTimeOffset(2025, 1, 11, 6, 30, 0, TimeSpan.Zero),
            CapturePlace = "Kursk region",
            CapturingAgency = "UA-SSO",
            RegisteredAt = new DateTimeOffset(2025, 1, 11, 8, 0, 0, TimeSpan.Zero),
        });
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), Wait, "the custody record");
        return caseId;
    }

    private static CaseShared Shared(Guid shareId, Guid caseId, string partner) => new()
    {
        ShareId = shareId,
        CaseId = caseId,
        CaseNumber = "RC-000042",
        PartnerAgency = partner,
        ValidUntil = DateTimeOffset.UtcNow.AddDays(30),
        SharedAt = DateTimeOffset.UtcNow,
    };

    private async Task<StatusCode> ReadAsync(string partner, Guid caseId)
    {
        try
        {
            await Partner(partner).GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() });
            await Partner(partner).ListCustodyEventsAsync(new ListCustodyEventsRequest { CaseId = caseId.ToString(), PageSize = 10 });
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    /// <summary>Publishes <paramref name="message"/> and waits until custody's inbox recorded it as applied.</summary>
    private async Task ConsumeAsync<T>(T message) where T : class
    {
        var messageId = NewId.NextGuid();
        await custody.Bus.Publisher.Publish(message, c => c.MessageId = messageId);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.InboxMessages.AnyAsync(m => m.MessageId == messageId)), Wait, $"{typeof(T).Name} consumed");
    }

    [Fact]
    public async Task The_partner_reads_the_custody_record_of_a_shared_case_only_until_the_revocation()
    {
        var (a, b) = (await RegisterAsync(), await RegisterAsync());
        var partner = NewPartner();
        Assert.Equal(StatusCode.PermissionDenied, await ReadAsync(partner, a));

        var shareId = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(Shared(shareId, a, partner));
        await Eventually.TrueAsync(async () => await ReadAsync(partner, a) == StatusCode.OK, Wait, "the partner reads the shared case");

        var other = await Assert.ThrowsAsync<RpcException>(() => Partner(partner).GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = b.ToString() }).ResponseAsync);
        Assert.Equal("NOT_SHARED", other.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(StatusCode.PermissionDenied, await ReadAsync(NewPartner(), a));
        // Reading is all: a partner admits nobody.
        var admit = await Assert.ThrowsAsync<RpcException>(() => Partner(partner).AdmitToFacilityAsync(new AdmitToFacilityRequest { CaseId = a.ToString(), CustodianAgency = partner }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, admit.StatusCode);

        await custody.Bus.Publisher.Publish(new CaseShareRevoked { ShareId = shareId, CaseId = a, PartnerAgency = partner, RevokedAt = DateTimeOffset.UtcNow });
        await Eventually.TrueAsync(async () => await ReadAsync(partner, a) == StatusCode.PermissionDenied, Wait, "the partner refused after the revocation");

        // The share announced again (an outbox replay, another message id) does not revive it.
        await ConsumeAsync(Shared(shareId, a, partner));
        Assert.Equal(StatusCode.PermissionDenied, await ReadAsync(partner, a));
    }

    [Fact]
    public async Task A_revocation_seen_before_its_share_wins()
    {
        var a = await RegisterAsync();
        var partner = NewPartner();
        var shareId = Guid.NewGuid();

        await ConsumeAsync(new CaseShareRevoked { ShareId = shareId, CaseId = a, PartnerAgency = partner, RevokedAt = DateTimeOffset.UtcNow });
        await ConsumeAsync(Shared(shareId, a, partner));

        var row = await custody.QueryAsync(db => db.Shares.AsNoTracking().SingleAsync(s => s.ShareId == shareId));
        Assert.NotNull(row.RevokedAt);
        Assert.Equal(StatusCode.PermissionDenied, await ReadAsync(partner, a));
    }
}
