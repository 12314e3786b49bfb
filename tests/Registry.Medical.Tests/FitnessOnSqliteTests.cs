using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Grpc;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>Medical on SQLite, the embedded mode's store: the same code, migrations and gRPC surface.</summary>
public sealed class MedicalOnSqliteFixture() : ServiceFixture<MedicalGrpcService, MedicalDbContext>("Medical")
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"registry-medical-{Guid.NewGuid():N}.db");

    public MedicalService.MedicalServiceClient Client => new(Service.Channel);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [RegistryDatabase.ProviderKey] = "Sqlite",
        ["ConnectionStrings:Medical"] = $"Data Source={_file}",
    };

    protected override Task StoppedAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-journal", _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}

/// <summary>GetFitness's one statement, the newest-first list and a batch of inspections run on SQLite too (it has no LATERAL join).</summary>
public sealed class FitnessOnSqliteTests(MedicalOnSqliteFixture medical) : IClassFixture<MedicalOnSqliteFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Fitness_and_inspections_work_on_the_embedded_store()
    {
        var caseId = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = "RC-000002", FamilyName = "백", GivenNames = "광순", CapturedAt = CapturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the medical record");
        foreach (var (day, outcome) in new[] { (3, FitnessOutcome.Fit), (10, FitnessOutcome.Unfit) })
        {
            await medical.Client.AssessFitnessAsync(new AssessFitnessRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), Purpose = FitnessPurpose.Transfer, Outcome = outcome,
                ClinicalReasons = outcome == FitnessOutcome.Unfit ? "post-operative" : "",
                AssessedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(day)), ValidUntil = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(day + 5)),
                AssessedBy = "military surgeon on duty",
            });
        }

        var inForce = await medical.Client.GetFitnessAsync(new GetFitnessRequest { CaseId = caseId.ToString(), Purpose = FitnessPurpose.Transfer, At = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(11)) });
        Assert.Equal((FitnessStanding.InForce, FitnessOutcome.Unfit), (inForce.Standing, inForce.Assessment.Outcome));
        var expired = await medical.Client.GetFitnessAsync(new GetFitnessRequest { CaseId = caseId.ToString(), Purpose = FitnessPurpose.Transfer, At = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(16)) });
        Assert.Equal((FitnessStanding.None, CapturedAt.AddDays(15)), (expired.Standing, expired.ExpiredAt.ToDateTimeOffset()));
        var page = await medical.Client.ListFitnessAssessmentsAsync(new ListFitnessAssessmentsRequest { CaseId = caseId.ToString(), PageSize = 1 });
        var next = await medical.Client.ListFitnessAssessmentsAsync(new ListFitnessAssessmentsRequest { CaseId = caseId.ToString(), PageSize = 1, PageToken = page.NextPageToken });
        Assert.Equal([FitnessOutcome.Unfit, FitnessOutcome.Fit], page.Assessments.Concat(next.Assessments).Select(a => a.Outcome));

        var batch = new RecordInspectionsRequest
        {
            RequestId = Guid.NewGuid().ToString(), Place = "Camp 7 medical unit", Clinician = "camp physician",
            OccurredAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(20)), Inspections = { new PersonInspection { CaseId = caseId.ToString() } },
        };
        var inspected = (await medical.Client.RecordInspectionsAsync(batch)).Results[0].Recorded;
        Assert.Equal(CapturedAt.AddDays(50), inspected.Summary.ExaminationDueBy.ToDateTimeOffset());
    }

    [Fact]
    public Task The_overdue_inspections_are_listed_on_the_embedded_store() => OverdueInspectionsList.WalkAsync(medical, medical.Client);
}
