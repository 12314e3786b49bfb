using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Grpc;
using Registry.Protos.Medical.V1;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>The medical service with a further consumer of the events it publishes (hospitalisation, discharge, death).</summary>
public sealed class MedicalEventsFixture() : ServiceFixture<MedicalGrpcService, MedicalDbContext>("Medical")
{
    public static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);

    private int _cases;

    public MedicalService.MedicalServiceClient Client => new(Service.Channel);

    public MedicalService.MedicalServiceClient As(string agency, params string[] roles) => new(Service.As(agency, roles));

    /// <summary>The events medical publishes through its outbox.</summary>
    public TestEvents Events { get; private set; } = null!;

    /// <summary>A case registered by intake (CaseRegistered on the bus), once medical has opened its record.</summary>
    public async Task<Guid> RegisteredAsync(string? dateOfBirth = null)
    {
        var caseId = Guid.NewGuid();
        await Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId,
            CaseNumber = $"RC-{Interlocked.Increment(ref _cases):D6}",
            FamilyName = "백",
            GivenNames = "광순",
            CapturedAt = CapturedAt,
            CapturePlace = "Kursk region",
            CapturingAgency = "UA-SSO",
            RegisteredAt = CapturedAt.AddHours(2),
            DateOfBirth = dateOfBirth,
        });
        await Eventually.TrueAsync(() => QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the medical record");
        return caseId;
    }

    public async Task<MedicalSummary> SummaryAsync(Guid caseId) =>
        (await Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary;

    protected override async Task StartingAsync(string broker) =>
        Events = await TestEvents.StartAsync(broker, "test-medical-events", typeof(PatientHospitalised), typeof(PatientDischarged), typeof(DeathRecorded));

    protected override async Task StoppedAsync() => await Events.DisposeAsync();
}
