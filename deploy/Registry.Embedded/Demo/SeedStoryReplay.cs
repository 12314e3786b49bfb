using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Common.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Embedded.Demo;

/// <summary>
/// Replays the seed story (shared/seed/news-article.txt) through the gateway as the capturing
/// unit's system would: two soldiers captured in the Kursk region on 11 January 2025, one born
/// in 2005, the other in 1999. Request ids are derived from the story, so a replay on a later
/// start returns the same cases instead of new ones. The article withholds their names; the
/// Hangul names here are placeholders.
/// </summary>
public sealed class SeedStoryReplay(EmbeddedOptions options, IHostApplicationLifetime lifetime, ILogger<SeedStoryReplay> logger)
    : BackgroundService
{
    private static readonly Soldier[] Soldiers =
    [
        new("rifleman", "리", "정혁", 2005, "rifleman", 2021, "born 2005, rifleman since 2021",
            "Taken during hostilities; evacuated from the combat zone."),
        new("sniper", "백", "광순", 1999, "sniper-reconnaissance", 2016, "born 1999, sniper-reconnaissance since 2016",
            "Set off a grenade near his face as troops approached; taken with face and jaw injuries and evacuated for treatment."),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenStartedAsync(stoppingToken);
        using var channel = GrpcChannel.ForAddress(options.GatewayAddress);
        var intake = new IntakeService.IntakeServiceClient(channel);
        var caseFiles = new CaseFileService.CaseFileServiceClient(channel);
        try
        {
            foreach (var soldier in Soldiers)
            {
                using var activity = RegistryTelemetry.Source.StartActivity($"demo: register the {soldier.Key}", ActivityKind.Client);
                var response = await RegisterAsync(intake, Request(soldier), stoppingToken);
                var file = await WaitForWholeCaseFileAsync(caseFiles, response.Case.CaseId, stoppingToken);
                logger.LogInformation(
                    "Demo: {CaseNumber} ({Description}) {Outcome}; custody: {Custody}, medical: {Medical}; trace {TraceId}",
                    response.Case.CaseNumber, soldier.Description, response.Replayed ? "already registered" : "registered",
                    file.Custody.ResultCase, file.Medical.ResultCase, activity?.TraceId.ToHexString());
            }
        }
        catch (Exception ex) when (ex is RpcException or TimeoutException)
        {
            logger.LogWarning(ex, "Demo replay did not complete");
        }
    }

    /// <summary>
    /// Retries what is safe to retry (the request id makes a second attempt return the first
    /// result): a host still warming up may miss a deadline.
    /// </summary>
    private async Task<RegisterCaptureResponse> RegisterAsync(IntakeService.IntakeServiceClient intake, RegisterCaptureRequest request, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await intake.RegisterCaptureAsync(request, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
            }
            catch (RpcException ex) when (attempt < 5 && ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                logger.LogInformation("Demo: registration attempt {Attempt} answered {Status}; retrying", attempt, ex.StatusCode);
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
            }
        }
    }

    private static RegisterCaptureRequest Request(Soldier soldier) => new()
    {
        RequestId = StableId($"seed-story/{soldier.Key}").ToString(),
        // What each man said of himself, through a Korean interpreter (Art. 17: questioning in a
        // language he understands).
        IdentitySource = new AssertionSource { Kind = SourceKind.StatedByPerson, Note = "questioned through a Korean interpreter" },
        StatusCategory = StatusCategory.PrisonerOfWar,
        Identity = new Identity
        {
            FamilyName = soldier.Family,
            GivenNames = soldier.Given,
            DateOfBirth = new PartialDate { Year = soldier.BirthYear },
            Nationality = "KP",
            Sex = Sex.Male,
            Languages = { "ko" },
            Role = soldier.Role,
            InServiceSince = new PartialDate { Year = soldier.InServiceSince },
        },
        Capture = new CaptureEvent
        {
            CapturedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 11, 9, 30, 0, TimeSpan.FromHours(3))),
            Place = "Kursk region",
            CapturingUnit = "Special Operations Forces",
            CapturingAgency = "UA-SSO",
            Circumstances = soldier.Circumstances,
        },
    };

    private static async Task<CaseFile> WaitForWholeCaseFileAsync(CaseFileService.CaseFileServiceClient caseFiles, string caseId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var file = (await caseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct)).CaseFile;
            var whole = file.Custody.ResultCase == CustodyPart.ResultOneofCase.Record && file.Medical.ResultCase == MedicalPart.ResultOneofCase.Summary;
            if (whole || DateTime.UtcNow > deadline)
            {
                return file;
            }

            await Task.Delay(200, ct);
        }
    }

    private sealed record Soldier(
        string Key, string Family, string Given, int BirthYear, string Role, int InServiceSince, string Description, string Circumstances);

    private static Guid StableId(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));

    private Task WhenStartedAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(ct);
    }
}
