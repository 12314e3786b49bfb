using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;

namespace Registry.Custody.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>Custody's outbox with a further consumer of the case events that records them one at a time, in queue order.</summary>
public sealed class OrderedEventsCustodyFixture : CustodyFixture
{
    public TestEvents CaseEvents { get; private set; } = null!;

    protected override async Task StartingAsync(string broker)
    {
        await base.StartingAsync(broker);
        CaseEvents = await TestEvents.StartAsync(broker, "test-ordered-case-events", concurrentMessageLimit: 1,
            typeof(IdentityUpdated), typeof(StatusCategoryChanged));
    }

    protected override async Task StoppedAsync()
    {
        await CaseEvents.DisposeAsync();
        await base.StoppedAsync();
    }
}

/// <summary>
/// Events of one case reach consumers in the order they were written (issue 10, row 6): before, a batch was published
/// all at once with Task.WhenAll and its order was lost.
/// </summary>
public sealed class OutboxOrderTests(OrderedEventsCustodyFixture custody) : IClassFixture<OrderedEventsCustodyFixture>
{
    [Fact]
    public async Task Events_of_one_case_written_in_one_batch_arrive_in_revision_order()
    {
        // Three cases, each corrected and re-decided 30 times, all in one transaction: one batch for the dispatcher,
        // the cases interleaved as concurrent requests would write them.
        var cases = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        var rows = new List<OutboxMessage>();
        for (var revision = 2L; revision <= 31; revision++)
        {
            foreach (var caseId in cases)
            {
                rows.Add(revision % 2 == 0 ? Identity(caseId, revision) : Status(caseId, revision));
            }
        }

        await OutboxRows.WriteAsync(custody, [.. rows]);
        Assert.All(rows, r => Assert.Equal(KeyOf(r), r.OrderingKey));

        // The fixture's consumer records the other tests' events too: each of these cases' own thirty are waited for.
        await Eventually.TrueAsync(() => Task.FromResult(cases.All(c => EventsOf(c).Count >= 30)),
            TimeSpan.FromSeconds(60), $"{rows.Count} case events", () => string.Join(", ", cases.Select(c => $"{EventsOf(c).Count} of 30")));

        foreach (var caseId in cases)
        {
            Assert.Equal(Enumerable.Range(2, 30).Select(r => (long)r), EventsOf(caseId));
        }

        // A row is marked sent after the broker's confirmation, which can come after the event reached the test's consumer.
        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.SentAt == null)) == 0,
            TimeSpan.FromSeconds(30), "every row marked sent");
    }

    [Fact]
    public async Task A_case_whose_event_waits_for_its_next_attempt_holds_its_later_events_back_and_no_other_case()
    {
        // The held case's first row failed once and waits for its next attempt; its second row must wait with it, while
        // another case's row, written in the same transaction and so read in the same round, goes out.
        var (held, other) = (Guid.NewGuid(), Guid.NewGuid());
        var waiting = Identity(held, 2);
        (waiting.Attempts, waiting.LastError, waiting.NextAttemptAt) = (1, "test: refused by the broker", DateTimeOffset.UtcNow.AddHours(1));
        var after = Status(held, 3);
        var free = Identity(other, 2);
        await OutboxRows.WriteAsync(custody, waiting, after, free);
        Task Release() => custody.QueryAsync(db => db.OutboxMessages.Where(m => m.Id == waiting.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.NextAttemptAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        try
        {
            await Eventually.TrueAsync(() => custody.QueryAsync(db => db.OutboxMessages.AnyAsync(m => m.Id == free.Id && m.SentAt != null)),
                TimeSpan.FromSeconds(30), "the other case's row sent");
            Assert.Null(await custody.QueryAsync(db => db.OutboxMessages.Where(m => m.Id == after.Id).Select(m => m.SentAt).SingleAsync()));
            Assert.Empty(EventsOf(held));
        }
        catch
        {
            // Not left waiting an hour for the fixture's other tests, which wait for every row to be sent.
            await Release();
            throw;
        }

        // Its next attempt due: both go, in the order they were written.
        await Release();
        await OutboxRows.WriteAsync(custody);
        await Eventually.TrueAsync(() => Task.FromResult(EventsOf(held).Count == 2), TimeSpan.FromSeconds(30),
            "the held case's two events", () => string.Join(", ", EventsOf(held)));
        Assert.Equal([2L, 3L], EventsOf(held));
    }

    /// <summary>The revisions of <paramref name="caseId"/>'s events the ordered consumer recorded, in the order it got them.</summary>
    private List<long> EventsOf(Guid caseId) => custody.CaseEvents.Received.Select(r => r.Message)
        .Select(m => m switch
        {
            IdentityUpdated i when i.CaseId == caseId => i.Revision,
            StatusCategoryChanged s when s.CaseId == caseId => s.Revision,
            _ => (long?)null,
        })
        .OfType<long>()
        .ToList();

    [Fact]
    public void Every_contract_names_the_case_its_order_is_kept_by()
    {
        // A bundle of CaseRegistered events is formed by the dispatcher as it publishes, never written as a row: each of
        // its events is the first of its case, and the rows after them wait for the bundle's confirm.
        var contracts = typeof(CaseRegistered).Assembly.GetExportedTypes().Where(c => c != typeof(CaseRegisteredBundle)).ToList();
        Assert.Equal(19, contracts.Count);
        Assert.All(contracts, c => Assert.NotNull(OutboxOrdering.KeyPropertyOf(c)));
        Assert.Null(OutboxOrdering.KeyPropertyOf(typeof(CaseRegisteredBundle)));

        var merged = Guid.NewGuid();
        Assert.Equal(merged.ToString("D"), OutboxOrdering.KeyOf(new CasesMerged
        {
            SurvivorCaseId = Guid.NewGuid(), SurvivorCaseNumber = "RC-000001", MergedCaseId = merged, MergedCaseNumber = "RC-000002",
            Reason = "same person", MergedAt = DateTimeOffset.UtcNow,
        }));
    }

    private static string KeyOf(OutboxMessage row) =>
        System.Text.Json.JsonDocument.Parse(row.Payload).RootElement.GetProperty("CaseId").GetGuid().ToString("D");

    private static OutboxMessage Identity(Guid caseId, long revision) => OutboxMessage.Create(new IdentityUpdated
    {
        CaseId = caseId, CaseNumber = "RC-000001", Revision = revision, ChangedFields = ["family_name"], Source = "Document",
        FamilyName = $"Kim {revision}", UpdatedAt = DateTimeOffset.UtcNow,
    }, DateTimeOffset.UtcNow);

    private static OutboxMessage Status(Guid caseId, long revision) => OutboxMessage.Create(new StatusCategoryChanged
    {
        CaseId = caseId, CaseNumber = "RC-000001", Revision = revision, From = "PendingDetermination", To = "PrisonerOfWar",
        DecisionReference = $"Art. 5 tribunal {revision}", DecidedBy = "Tribunal", DecidedAt = DateTimeOffset.UtcNow,
        ChangedAt = DateTimeOffset.UtcNow,
    }, DateTimeOffset.UtcNow);
}
