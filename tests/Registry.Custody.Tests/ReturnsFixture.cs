using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>
/// Custody for the non-refoulement, repatriation and third-state tests: the service as <see cref="CustodyFixture"/> starts
/// it (no address for medical: every fitness question answers UNAVAILABLE, so a return goes ahead only with an override
/// reason, which these tests give and <c>RepatriationTests</c> shows the refusal without), and a further test queue that
/// receives <see cref="CaptivityEnded"/> as intake would.
/// </summary>
public sealed class ReturnsFixture : CustodyFixture
{
    public static readonly DateTimeOffset CapturedAt = new(2025, 1, 9, 6, 30, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset AdmittedAt = new(2025, 1, 12, 14, 0, 0, TimeSpan.Zero);
    public const string Override = "medical not reachable from custody; the ICRC medical delegate saw the person fit to travel on the day";

    /// <summary>The ways captivity ended, as intake receives them.</summary>
    public TestEvents Ended { get; private set; } = null!;

    public CustodyService.CustodyServiceClient Coordinator => new(Service.As("UA-COORD", RegistryRoles.Coordinator));
    public CustodyService.CustodyServiceClient Delegate => new(Service.As("ICRC", RegistryRoles.IcrcDelegate));

    protected override async Task StartingAsync(string broker)
    {
        await base.StartingAsync(broker);
        Ended = await TestEvents.StartAsync(broker, "test-custody-captivity-ended", typeof(CaptivityEnded));
    }

    protected override async Task StoppedAsync()
    {
        await Ended.DisposeAsync();
        await base.StoppedAsync();
    }

    /// <summary>A case registered by intake and admitted to the SBU facility in Kyiv (UA), held.</summary>
    public async Task<Guid> HeldAsync(string familyName = "백", string givenNames = "광순")
    {
        var caseId = Guid.NewGuid();
        await Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId,
            CaseNumber = "RC-000031",
            FamilyName = familyName,
            GivenNames = givenNames,
            CapturedAt = CapturedAt,
            CapturePlace = "Kursk region",
            CapturingAgency = "UA-SSO",
            RegisteredAt = CapturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the custody record");
        await Client.AdmitToFacilityAsync(new AdmitToFacilityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = caseId.ToString(),
            Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
            CustodianAgency = "UA-SBU",
            AdmittedAt = Timestamp.FromDateTimeOffset(AdmittedAt),
        });
        return caseId;
    }

    public static AssessReturnRiskRequest Assessment(Guid caseId, ReturnRisk level, DateTimeOffset? at = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Level = level,
        Grounds = "ordered to kill themselves rather than be captured: punishment on return is reported for soldiers who were",
        AssessedAt = Timestamp.FromDateTimeOffset(at ?? AdmittedAt.AddDays(20)),
        AssessedBy = "Maj. O. Petrenko, legal adviser",
    };

    public static RecordReturnWishRequest Wish(Guid caseId, ReturnWish wish, DateTimeOffset? at = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Wish = wish,
        TakenAt = Timestamp.FromDateTimeOffset(at ?? AdmittedAt.AddDays(15)),
        TakenBy = "ICRC delegate A. Keller",
        Note = "private interview at the SBU facility, Kyiv, in Korean with an ICRC interpreter",
    };

    public static RequestRepatriationRequest Repatriation(Guid caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        RepatriatedAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(40)),
        ToState = "KP",
        Via = "through the ICRC at a border crossing",
        FitnessOverrideReason = Override,
    };

    public static TransferToThirdStateRequest ThirdState(Guid caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        ReceivingState = "KR",
        ReceivingPlace = new Facility { Name = "Reception centre", Locality = "Seoul" },
        ReceivingAuthority = "KR Ministry of Justice",
        TransferredAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(40)),
        Assurance = new ThirdStateAssurance
        {
            PartyToConvention = true,
            WillingnessAndAbility = "note verbale of the receiving state; ICRC access to the reception centre confirmed",
            AssuredBy = "Ministry of Foreign Affairs, note verbale 12/2025",
            AssuredAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(30)),
        },
        FitnessOverrideReason = Override,
    };

    /// <summary>A case with the risk assessed low and the person's wish to return recorded: nothing holds them.</summary>
    public async Task<Guid> FreeToGoAsync()
    {
        var caseId = await HeldAsync();
        await Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Low));
        await Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.WishesToReturn));
        return caseId;
    }

    public async Task<CustodyRecord> RecordAsync(Guid caseId) =>
        (await Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record;

    public Task<int> EventCountAsync(Guid caseId) => QueryAsync(db => db.Events.CountAsync(e => e.CaseId == caseId));

    /// <summary>The CaptivityEnded rows custody's outbox holds for the case: what it published, or will.</summary>
    public Task<int> EndedInOutboxAsync(Guid caseId) => QueryAsync(db =>
        db.OutboxMessages.CountAsync(m => m.MessageType.Contains("CaptivityEnded") && m.Payload.Contains(caseId.ToString())));
}

[CollectionDefinition(Name)]
public sealed class ReturnsCollection : ICollectionFixture<ReturnsFixture>
{
    public const string Name = "Returns";
}

/// <summary>Asserts on the answers of the return RPCs.</summary>
public static class ReturnsAssert
{
    public static async Task<RpcException> RefusedAsync<T>(AsyncUnaryCall<T> call) => await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

    public static void BadField(RpcException error, string field)
    {
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Select(v => v.Field));
    }
}
