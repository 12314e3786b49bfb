using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Registry.Protos.Common.V1;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Deploy.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// The embedded host killed with kill -9 while events sit in its in-memory bus, published but not yet
/// applied by a consumer: after a restart every event still reaches every consumer, exactly once. A
/// consumer is kept from applying by its own SQLite file being held by another writer (as a backup tool
/// or an operator's sqlite3 shell would hold it), which it cannot tell from a slow disk.
/// </summary>
public sealed class EmbeddedCrashTests : IAsyncLifetime
{
    private const int Registrations = 8;
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"registry-embedded-crash-{Guid.NewGuid():N}");
    private readonly int _gateway = FreePort.Next();
    private readonly int _http = FreePort.Next();
    private readonly Dictionary<string, string> _settings;

    public EmbeddedCrashTests()
    {
        _settings = new Dictionary<string, string>
        {
            ["Embedded__DataPath"] = _data,
            ["Embedded__GatewayPort"] = _gateway.ToString(),
            ["Embedded__IntakePort"] = FreePort.Next().ToString(),
            ["Embedded__CustodyPort"] = FreePort.Next().ToString(),
            ["Embedded__MedicalPort"] = FreePort.Next().ToString(),
            ["Embedded__HttpPort"] = _http.ToString(),
            ["Embedded__IdentityPort"] = FreePort.Next().ToString(),
            ["Embedded__Dashboard"] = "false",
            ["Embedded__Demo"] = "false",
        };
    }

    [Fact]
    public async Task Events_in_the_in_memory_bus_when_the_host_is_killed_reach_every_consumer_once_after_the_restart()
    {
        var registered = new List<string>();
        string admittedCase;

        await using (var first = await StartAsync())
        {
            using var callers = EmbeddedCallers.Read(_data, first.GrpcAddress);
            var channel = callers.Coordinator;
            var intake = new IntakeService.IntakeServiceClient(callers.IntakeOfficer);
            admittedCase = (await intake.RegisterCaptureAsync(Capture(0))).Case.CaseId;
            await WholeCaseFileAsync(channel, admittedCase, first);

            // Custody cannot write: CaseRegistered reaches medical, while custody's copies wait in the bus.
            using (HoldWriteLock("custody"))
            {
                for (var i = 1; i <= Registrations; i++)
                {
                    registered.Add((await intake.RegisterCaptureAsync(Capture(i))).Case.CaseId);
                }

                // StatusCategoryChanged, an event no module consumes.
                var last = (await intake.GetCaseAsync(new GetCaseRequest { CaseId = registered[^1] })).Case;
                await new IntakeService.IntakeServiceClient(callers.Coordinator).ChangeStatusCategoryAsync(new ChangeStatusCategoryRequest
                {
                    CaseId = last.CaseId,
                    StatusCategory = StatusCategory.CivilianInternee,
                    DecisionReference = "T-2025-014",
                    DecidedBy = "Art. 5 tribunal, Kyiv",
                    DecidedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 20, 9, 0, 0, TimeSpan.Zero)),
                    Revision = last.Revision,
                });

                await Eventually.TrueAsync(async () => (await Task.WhenAll(registered.Select(c => MedicalSummaryAsync(channel, c)))).All(m => m),
                    TimeSpan.FromSeconds(60), "medical to open a record for every registration", () => first.Output);
                await first.KillAsync();
            }
        }

        await using (var second = await StartAsync())
        {
            using var callers = EmbeddedCallers.Read(_data, second.GrpcAddress);
            var channel = callers.Coordinator;
            await Task.WhenAll(registered.Select(c => WholeCaseFileAsync(channel, c, second)));

            // Intake cannot write: custody admits, and its CustodyAdmitted waits in the bus for intake's consumer.
            using (HoldWriteLock("intake"))
            {
                await new CustodyService.CustodyServiceClient(callers.Custodian).AdmitToFacilityAsync(new AdmitToFacilityRequest
                {
                    RequestId = Guid.NewGuid().ToString(),
                    CaseId = admittedCase,
                    Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
                    CustodianAgency = "UA-SBU",
                    AdmittedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 12, 16, 0, 0, TimeSpan.Zero)),
                });
                // The outbox publishes as soon as the admission commits; leave it ample time to.
                await Task.Delay(TimeSpan.FromSeconds(3));
                await second.KillAsync();
            }
        }

        await using (var third = await StartAsync())
        {
            using var callers = EmbeddedCallers.Read(_data, third.GrpcAddress);
            var channel = callers.Coordinator;
            var files = await Task.WhenAll(registered.Select(c => WholeCaseFileAsync(channel, c, third)));
            Assert.All(files, f => Assert.Equal(f.Identity.Case.CaseNumber, f.Custody.Record.CaseNumber));

            var caseRegistered = CaseRegisteredEvents();
            foreach (var caseId in registered.Append(admittedCase).Select(Guid.Parse))
            {
                var messageId = Assert.Single(caseRegistered, e => e.CaseId == caseId).MessageId;
                Assert.Equal(1, Count("custody", "SELECT count(*) FROM custody_records WHERE \"CaseId\" = @id", caseId));
                Assert.Equal(1, Count("medical", "SELECT count(*) FROM medical_records WHERE \"CaseId\" = @id", caseId));
                Assert.Equal(1, InboxEntries("custody", "CaseRegisteredConsumer", messageId));
                Assert.Equal(1, InboxEntries("medical", "CaseRegisteredConsumer", messageId));
            }

            var admitted = Assert.Single(OutboxMessageIds("custody", "urn:message:Registry.Contracts:CustodyAdmitted"));
            await Eventually.TrueAsync(() => Task.FromResult(InboxEntries("intake", "CustodyAdmittedConsumer", admitted) == 1),
                TimeSpan.FromSeconds(60), "intake to apply CustodyAdmitted", () => third.Output);

            // Nothing is left to publish again at the next start: every row, the event no module consumes
            // included, was confirmed and marked sent.
            await Eventually.TrueAsync(() => Task.FromResult(UnsentRows("intake") == 0 && UnsentRows("custody") == 0),
                TimeSpan.FromSeconds(30), "every outbox row to be marked sent", () => UnsentRowsListed("intake") + UnsentRowsListed("custody"));
        }
    }

    private Task<ServiceProcess> StartAsync() =>
        ServiceProcess.StartAsync("Embedded", Path.Combine("deploy", "Registry.Embedded"), _gateway, _http, _settings);

    /// <summary>Another writer's transaction on a service's SQLite file, held until disposed.</summary>
    private SqliteConnection HoldWriteLock(string service)
    {
        var connection = new SqliteConnection($"Data Source={DatabaseFile(service)};Pooling=False");
        connection.Open();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        return connection;
    }

    private string DatabaseFile(string service) => Path.Combine(_data, $"{service}.db");

    private SqliteConnection Open(string service)
    {
        var connection = new SqliteConnection($"Data Source={DatabaseFile(service)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private long Count(string service, string sql, Guid id)
    {
        using var connection = Open(service);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        // EF Core keeps a Guid in SQLite as upper-case text.
        command.Parameters.AddWithValue("@id", id.ToString().ToUpperInvariant());
        return (long)command.ExecuteScalar()!;
    }

    private long InboxEntries(string service, string consumer, Guid messageId)
    {
        using var connection = Open(service);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM inbox_messages WHERE \"Consumer\" = @consumer AND \"MessageId\" = @id";
        command.Parameters.AddWithValue("@consumer", consumer);
        command.Parameters.AddWithValue("@id", messageId.ToString().ToUpperInvariant());
        return (long)command.ExecuteScalar()!;
    }

    private long UnsentRows(string service)
    {
        using var connection = Open(service);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM outbox_messages WHERE \"SentAt\" IS NULL";
        return (long)command.ExecuteScalar()!;
    }

    private string UnsentRowsListed(string service)
    {
        using var connection = Open(service);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\", \"MessageType\", \"Attempts\", \"LastError\" FROM outbox_messages WHERE \"SentAt\" IS NULL";
        using var reader = command.ExecuteReader();
        var rows = new System.Text.StringBuilder();
        while (reader.Read())
        {
            rows.AppendLine($"{service} outbox row {reader.GetInt64(0)} {reader.GetString(1)} unsent after {reader.GetInt32(2)} failed attempts {(reader.IsDBNull(3) ? "" : reader.GetString(3))}");
        }

        return rows.ToString();
    }

    private List<Guid> OutboxMessageIds(string service, string messageType)
    {
        using var connection = Open(service);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"MessageId\" FROM outbox_messages WHERE \"MessageType\" = @type";
        command.Parameters.AddWithValue("@type", messageType);
        using var reader = command.ExecuteReader();
        var ids = new List<Guid>();
        while (reader.Read())
        {
            ids.Add(Guid.Parse(reader.GetString(0)));
        }

        return ids;
    }

    private List<(Guid CaseId, Guid MessageId)> CaseRegisteredEvents()
    {
        using var connection = Open("intake");
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"MessageId\", \"Payload\" FROM outbox_messages WHERE \"MessageType\" = 'urn:message:Registry.Contracts:CaseRegistered'";
        using var reader = command.ExecuteReader();
        var events = new List<(Guid, Guid)>();
        while (reader.Read())
        {
            using var payload = JsonDocument.Parse(reader.GetString(1));
            events.Add((payload.RootElement.GetProperty("CaseId").GetGuid(), Guid.Parse(reader.GetString(0))));
        }

        return events;
    }

    private static async Task<bool> MedicalSummaryAsync(GrpcChannel channel, string caseId)
    {
        var file = (await new CaseFileService.CaseFileServiceClient(channel).GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId })).CaseFile;
        return file.Medical.ResultCase == MedicalPart.ResultOneofCase.Summary;
    }

    private Task<CaseFile> WholeCaseFileAsync(GrpcChannel channel, string caseId, ServiceProcess? host = null) =>
        Eventually.GetAsync(async () =>
        {
            var file = (await new CaseFileService.CaseFileServiceClient(channel).GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId })).CaseFile;
            return file.Custody.ResultCase == CustodyPart.ResultOneofCase.Record && file.Medical.ResultCase == MedicalPart.ResultOneofCase.Summary
                ? file
                : null;
        }, TimeSpan.FromSeconds(120), $"the whole case file of {caseId}",
            () => UnsentRowsListed("intake") + UnsentRowsListed("custody") + (host?.Output ?? ""));

    private static RegisterCaptureRequest Capture(int i) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Identity = new Identity { FamilyName = "박", GivenNames = $"성{i}", DateOfBirth = new PartialDate { Year = 1995 + i }, Nationality = "KP" },
        Capture = new CaptureEvent
        {
            CapturedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 12, 6, 0, 0, TimeSpan.Zero)),
            Place = "Kursk region",
            CapturingUnit = "95th Air Assault Brigade",
            CapturingAgency = "UA-SSO",
        },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }

        return Task.CompletedTask;
    }
}
