using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Grpc;
using Registry.Protos.Audit.V1;
using Registry.Protos.Custody.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>
/// Custody in-process with a REAL medical service beside it: medical runs as its own process (its build output, its
/// own database, the same virtual host, so a CaseRegistered on the test bus opens the case in both), and custody
/// reaches it through a TCP relay (<see cref="MedicalLink"/>) a test can cut (medical down) or freeze (medical
/// silent, the deadline runs out). Custody's fitness deadline is <see cref="FitnessCallTimeout"/>.
/// </summary>
public sealed class MedicalLinkFixture() : ServiceFixture<CustodyGrpcService, CustodyDbContext>("Custody")
{
    public static readonly TimeSpan FitnessCallTimeout = TimeSpan.FromSeconds(3);
    public static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset AdmittedAt = new(2025, 1, 12, 14, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset AssessedAt = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset DepartedAt = new(2025, 1, 20, 8, 0, 0, TimeSpan.Zero);

    private string _medicalDatabase = null!;
    private GrpcChannel _medicalChannel = null!;

    public ServiceProcess Medical { get; private set; } = null!;

    /// <summary>Medical's own database (a test locks its tables to hold medical's answer back).</summary>
    public string MedicalDatabase => _medicalDatabase;
    public TcpProxy MedicalLink { get; private set; } = null!;
    public CustodyService.CustodyServiceClient Client => new(Service.Channel);

    /// <summary>Custody as a custodian of <paramref name="agency"/> (the capturing agency in these tests is UA-SSO).</summary>
    public CustodyService.CustodyServiceClient Custodian(string agency = "UA-SSO") => new(Service.As(agency, RegistryRoles.Custodian));

    /// <summary>Medical straight on its port, as a medic.</summary>
    public MedicalService.MedicalServiceClient Medic => new(TestCallers.As(_medicalChannel, "UA-MOD-MED", RegistryRoles.Medic));

    /// <summary>Medical's own access audit, as its auditor reads it.</summary>
    public AccessAuditService.AccessAuditServiceClient MedicalAudit => new(TestCallers.As(_medicalChannel, "UA-OMBUDSMAN", RegistryRoles.Auditor));

    /// <summary>What custody publishes (CustodyTransferred), as intake would receive it.</summary>
    public TestEvents Events { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [CustodyModule.MedicalAddressKey] = $"http://127.0.0.1:{MedicalLink.Port}",
        ["Custody:FitnessCallTimeout"] = FitnessCallTimeout.ToString("c"),
    };

    protected override async Task StartingAsync(string broker)
    {
        Events = await TestEvents.StartAsync(broker, "test-custody-transfer-events", typeof(CustodyTransferred));
        _medicalDatabase = await Infrastructure.CreateDatabaseAsync("Medical");
        Medical = await ServiceProcess.StartAsync("Medical", new Dictionary<string, string>
        {
            ["ConnectionStrings__Medical"] = _medicalDatabase,
            ["ConnectionStrings__RabbitMq"] = broker,
        });
        MedicalLink = new TcpProxy("127.0.0.1", Medical.GrpcPort);
        _medicalChannel = GrpcChannel.ForAddress(Medical.GrpcAddress);
    }

    protected override async Task StoppedAsync()
    {
        await TestCleanup.TryAsync("stop the custody events queue", async () => await Events.DisposeAsync());
        await TestCleanup.TryAsync("close the channel to medical", () => { _medicalChannel.Dispose(); return Task.CompletedTask; });
        await TestCleanup.TryAsync("stop the relay to medical", async () => await MedicalLink.DisposeAsync());
        await TestCleanup.TryAsync("stop medical", async () => await Medical.DisposeAsync());
        await Infrastructure.DropDatabaseAsync(_medicalDatabase);
    }

    /// <summary>
    /// Ends a <see cref="TcpProxy.Cut"/> and waits until custody reaches medical again: after refused connections its
    /// gRPC channel waits out a reconnect backoff, failing calls at once meanwhile, so the next test would otherwise
    /// find medical "unavailable". Probed with a transfer medical refuses (no assessment), which stores nothing.
    /// </summary>
    public async Task RestoreAsync()
    {
        MedicalLink.Restore();
        var probe = await HeldAsync("RC-000099");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await Custodian().TransferCustodyAsync(ToLviv(probe));
                throw new InvalidOperationException("a transfer without a fitness assessment went ahead");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
            {
                return true; // medical answered: no assessment in force
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(150), "custody to reach medical again after the link was restored");
    }

    /// <summary>A case registered (custody and medical both open it) and admitted in Kyiv by UA-SSO.</summary>
    public async Task<Guid> HeldAsync(string number = "RC-000031")
    {
        var caseId = Guid.NewGuid();
        await Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = number, FamilyName = "백", GivenNames = "광순", CapturedAt = CapturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the custody record");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await Medic.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() });
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the medical record");
        await Client.AdmitToFacilityAsync(new AdmitToFacilityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = caseId.ToString(),
            Facility = new Protos.Custody.V1.Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
            CustodianAgency = "UA-SSO",
            AdmittedAt = Timestamp.FromDateTimeOffset(AdmittedAt),
        });
        return caseId;
    }

    /// <summary>Medical's real assessment of fitness for transfer, through its AssessFitness.</summary>
    public async Task<FitnessAssessment> AssessAsync(Guid caseId, FitnessOutcome outcome, int days = 30, string conditions = "")
    {
        var response = await Medic.AssessFitnessAsync(new AssessFitnessRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = caseId.ToString(),
            Purpose = FitnessPurpose.Transfer,
            Outcome = outcome,
            Conditions = outcome == FitnessOutcome.FitWithConditions ? (conditions.Length > 0 ? conditions : "seated, with stops every 2 hours") : "",
            ClinicalReasons = outcome == FitnessOutcome.Fit ? "" : "jaw fracture under treatment",
            AssessedAt = Timestamp.FromDateTimeOffset(AssessedAt),
            ValidUntil = Timestamp.FromDateTimeOffset(AssessedAt.AddDays(days)),
            AssessedBy = "Maj. O. Kovalenko, military surgeon",
        });
        return response.Assessment;
    }

    /// <summary>A transfer from Kyiv to a camp in the Lviv region under UA-CCHPW (the coordination HQ's camp service).</summary>
    public static TransferCustodyRequest ToLviv(Guid caseId, string? overrideReason = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Destination = new Protos.Custody.V1.Facility { Name = "POW camp No. 1", Locality = "Lviv region", Country = "UA" },
        ReceivingAgency = "UA-CCHPW",
        DepartedAt = Timestamp.FromDateTimeOffset(DepartedAt),
        Reason = "moved away from the combat zone (GC III Art. 19)",
        OverrideReason = overrideReason ?? "",
    };

    public static ConfirmTransferArrivalRequest Arrival(Guid caseId, string agency = "UA-CCHPW") => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        ReceivingAgency = agency,
        ArrivedAt = Timestamp.FromDateTimeOffset(DepartedAt.AddHours(9)),
        Note = "arrived by bus with 11 others",
    };

    public async Task<CustodyRecord> RecordAsync(Guid caseId) =>
        (await Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record;

    /// <summary>Medical's audit rows of GetFitness for the case.</summary>
    public Task<List<Protos.Audit.V1.AccessEvent>> FitnessQuestionsAsync(Guid caseId) => AccessEventsAsync(MedicalAudit, caseId, "GetFitness");

    /// <summary>Custody's audit rows of TransferCustody for the case: what custody itself answered, whatever the caller's client saw.</summary>
    public Task<List<Protos.Audit.V1.AccessEvent>> TransferAnswersAsync(Guid caseId) =>
        AccessEventsAsync(new AccessAuditService.AccessAuditServiceClient(Service.As("UA-OMBUDSMAN", RegistryRoles.Auditor)), caseId, "TransferCustody");

    private static async Task<List<Protos.Audit.V1.AccessEvent>> AccessEventsAsync(AccessAuditService.AccessAuditServiceClient audit, Guid caseId, string method) =>
        (await audit.ListAccessEventsAsync(new ListAccessEventsRequest { CaseId = caseId.ToString(), PageSize = 100 })).Events
            .Where(e => e.Method.EndsWith("/" + method, StringComparison.Ordinal)).ToList();
}

[CollectionDefinition(Name)]
public sealed class MedicalLinkCollection : ICollectionFixture<MedicalLinkFixture>
{
    public const string Name = "custody-with-medical";
}
