using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.Intake.Tests;

/// <summary>
/// <see cref="InsertBatch"/>, which writes a registration's rows without the change tracker: the rows it stores are the rows EF
/// Core's SaveChanges stores for the same entities, column for column (owned types, value converters, the split notification).
/// </summary>
public sealed class InsertBatchTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 30, 0, TimeSpan.Zero);

    /// <summary>Every table a registration writes; the identity keys the database gives are left out (two writes take two).</summary>
    private static readonly string[] Tables =
        ["cases", "identity_assertions", "status_changes", "outbox_messages", "capture_cards", "notifications", "notification_bodies", "duplicate_candidates"];

    [Fact]
    public async Task A_batch_stores_the_rows_EF_Core_stores_for_the_same_entities()
    {
        var (rowsByBatch, rowsByTracker) = await intake.QueryAsync(async db =>
        {
            var (@case, rows) = await NewCaseAsync(db);
            var byBatch = await WrittenThenRolledBackAsync(db, Tables, () => new InsertBatch(db).Add(@case).AddRange(rows.Assertions).Add(rows.Status)
                .Add(rows.Event).Add(rows.Card).Add(rows.Notification).AddRange(rows.Candidates).ExecuteAsync(CancellationToken.None));
            var byTracker = await WrittenThenRolledBackAsync(db, Tables, async () =>
            {
                Track(db, @case, rows);
                await db.SaveChangesAsync();
            });
            return (byBatch, byTracker);
        });

        Assert.Equal(Tables, rowsByBatch.Keys);
        Assert.All(Tables, t => Assert.NotEmpty(rowsByBatch[t]));
        Assert.Equal(rowsByTracker, rowsByBatch);
    }

    /// <summary>The access audit's rows (arrays, timestamps), which its writer inserts by batch when no caller asks for their ids.</summary>
    [Fact]
    public async Task A_batch_stores_the_access_audits_rows_as_EF_Core_stores_them()
    {
        string[] table = [AccessAuditModel.Table];
        var events = new[]
        {
            new AccessEventRow
            {
                OccurredAt = Now.AddTicks(123_4560), Service = "intake", Method = "registry.intake.v1.IntakeService/GetCase",
                CaseIds = [Guid.NewGuid(), Guid.NewGuid()], ClientId = "ua-army-system", Agency = "UA-ARMY", Roles = "capturing_unit",
                Outcome = "OK", Reason = "", Withheld = "medical", TraceId = "0af7651916cd43dd8448eb211c80319c", DecidedBy = "",
            },
            new AccessEventRow { OccurredAt = Now, Service = "intake", Method = "m", CaseIds = [], Outcome = "PERMISSION_DENIED", Reason = "Ünïcode ' \"quoted\"" },
        };
        var (rowsByBatch, rowsByTracker) = await intake.QueryAsync(async db => (
            await WrittenThenRolledBackAsync(db, table, () => new InsertBatch(db).AddRange(events).ExecuteAsync(CancellationToken.None)),
            await WrittenThenRolledBackAsync(db, table, async () =>
            {
                db.AccessEvents.AddRange(events.Select(e => new AccessEventRow
                {
                    OccurredAt = e.OccurredAt, Service = e.Service, Method = e.Method, CaseIds = e.CaseIds, ClientId = e.ClientId, Agency = e.Agency,
                    Roles = e.Roles, Outcome = e.Outcome, Reason = e.Reason, Withheld = e.Withheld, TraceId = e.TraceId, DecidedBy = e.DecidedBy,
                }));
                await db.SaveChangesAsync();
            })));

        Assert.Equal(2, rowsByBatch[table[0]].Count);
        Assert.Equal(rowsByTracker, rowsByBatch);
    }

    /// <summary>
    /// Rows added one after the other into one table share an INSERT, up to <see cref="InsertBatch.RowsPerStatement"/> a
    /// statement: a registration's seven identity assertions and two candidates are one statement each (8 statements for its
    /// 15 rows); 20 rows of the access audit, 5 then 15 through one batch executed twice, go as 5, then 8 + 7, stored as
    /// SaveChanges stores them, in the order added.
    /// </summary>
    [Fact]
    public async Task Rows_of_one_table_added_in_a_row_share_an_insert_of_at_most_eight_rows()
    {
        var sent = new SentCommands();
        await using var db = new IntakeDbContext(new DbContextOptionsBuilder<IntakeDbContext>()
            .UseNpgsql(await intake.QueryAsync(d => Task.FromResult(d.Database.GetConnectionString()!))).AddInterceptors(sent).Options);

        var (@case, rows) = await NewCaseAsync(db);
        await WrittenThenRolledBackAsync(db, Tables, () => new InsertBatch(db).Add(@case).AddRange(rows.Assertions).Add(rows.Status)
            .Add(rows.Event).Add(rows.Card).Add(rows.Notification).AddRange(rows.Candidates).ExecuteAsync(CancellationToken.None));
        var registration = Assert.Single(sent.Texts, t => t.Contains("INSERT INTO", StringComparison.Ordinal));
        Assert.Equal(7, rows.Assertions.Count);
        Assert.Equal(8, Inserts(registration));

        var events = Enumerable.Range(0, 20).Select(i => new AccessEventRow
        {
            OccurredAt = Now.AddSeconds(i), Service = "intake", Method = $"m{i}", CaseIds = [Guid.NewGuid()], Outcome = "OK", Reason = "",
        }).ToList();
        sent.Texts.Clear();
        string[] table = [AccessAuditModel.Table];
        // One batch used twice: the second command starts its statements afresh (5 rows before, 15 after its first execution).
        var batch = new InsertBatch(db);
        var byBatch = await WrittenThenRolledBackAsync(db, table, async () =>
        {
            await batch.AddRange(events.Take(5)).ExecuteAsync(CancellationToken.None);
            await batch.AddRange(events.Skip(5)).ExecuteAsync(CancellationToken.None);
        }, orderBy: "t.id");
        var audit = sent.Texts.Where(t => t.Contains("INSERT INTO", StringComparison.Ordinal)).ToList();
        Assert.Equal([[5], [8, 7]], audit.Select(RowsPerInsert));
        Assert.Equal(events.Select(e => e.Method), byBatch[table[0]].Select(row => System.Text.Json.JsonDocument.Parse(row).RootElement.GetProperty("method").GetString()));
        var byTracker = await WrittenThenRolledBackAsync(db, table, async () =>
        {
            db.AccessEvents.AddRange(events.Select(e => new AccessEventRow { OccurredAt = e.OccurredAt, Service = e.Service, Method = e.Method, CaseIds = e.CaseIds, Outcome = e.Outcome, Reason = e.Reason }));
            await db.SaveChangesAsync();
        }, orderBy: "t.id");
        Assert.Equal(byTracker, byBatch);

        static int Inserts(string sql) => sql.Split("INSERT INTO").Length - 1;
    }

    /// <summary>
    /// A batch sent with <see cref="GenericPlans"/> (the access audit's batches, a consumer's batch) has its INSERTs planned
    /// once per session, not at each execution as the sessions' <c>force_custom_plan</c> would plan them: sent alone, as the
    /// audit sends it (one implicit transaction), and as the last command of an open transaction, as a consumer sends it.
    /// One session throughout (Npgsql prepares a text on its fifth use); pg_prepared_statements counts its plans.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_batch_sent_with_generic_plans_is_planned_once_per_session(bool inTransaction)
    {
        await using var scope = intake.Service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
        var plans = scope.ServiceProvider.GetRequiredService<GenericPlans>();
        await db.Database.OpenConnectionAsync();
        // The audit is append-only: the rows sent alone stay, under a method no call has.
        var method = $"test/generic-plans/{Guid.NewGuid():N}";
        for (var round = 0; round < 8; round++)
        {
            // Three rows: one text, its own (the audit writer's batches under this class's calls are other counts or planned the same way).
            var rows = Enumerable.Range(0, 3).Select(i => new AccessEventRow { OccurredAt = Now, Service = "intake", Method = method, CaseIds = [], Outcome = "OK", Reason = "" });
            await using var transaction = inTransaction ? await db.Database.BeginTransactionAsync() : null;
            await new InsertBatch(db).AddRange(rows).ExecuteAsync(plans, CancellationToken.None);
            Assert.Equal(inTransaction ? "force_generic_plan" : "force_custom_plan",
                await db.Database.SqlQueryRaw<string>("SELECT current_setting('plan_cache_mode') AS \"Value\"").SingleAsync());
            if (transaction is not null)
            {
                await transaction.RollbackAsync();
            }
        }

        var prepared = await PreparedPlans.OfSessionAsync(db,
            $"statement LIKE 'INSERT INTO \"{AccessAuditModel.Table}\"%' AND (length(statement) - length(replace(statement, '), (', ''))) / 4 = 2");
        await db.Database.CloseConnectionAsync();

        var insert = Assert.Single(prepared);
        Assert.True(insert.Custom == 0, $"{insert.Custom} plans made for the values of: {insert.Statement}");
        Assert.True(insert.Generic >= 1, $"no plan kept for: {insert.Statement}");
    }

    /// <summary>
    /// Entities split over two tables (ICRC notifications and their bodies) added together go table by table, so that each
    /// table's rows share an INSERT (a batch of registrations writes one for each of its cases): three cases and their three
    /// notifications are three statements of three rows, stored as SaveChanges stores them. One entity after the other, the
    /// notifications would alternate between their tables, a statement a row.
    /// </summary>
    [Fact]
    public async Task Entities_split_over_two_tables_added_together_share_an_insert_for_each_table()
    {
        var sent = new SentCommands();
        await using var db = new IntakeDbContext(new DbContextOptionsBuilder<IntakeDbContext>()
            .UseNpgsql(await intake.QueryAsync(d => Task.FromResult(d.Database.GetConnectionString()!))).AddInterceptors(sent).Options);
        var made = new List<(CaptureCase Case, CaseRows Rows)>();
        for (var i = 0; i < 3; i++)
        {
            made.Add(await NewCaseAsync(db));
        }

        string[] tables = ["cases", "notifications", "notification_bodies"];
        var byBatch = await WrittenThenRolledBackAsync(db, tables, () => new InsertBatch(db).AddRange(made.Select(m => m.Case))
            .AddRange(made.Select(m => m.Rows.Notification)).ExecuteAsync(CancellationToken.None));
        var command = Assert.Single(sent.Texts, t => t.Contains("INSERT INTO", StringComparison.Ordinal));
        Assert.Equal([3, 3, 3], RowsPerInsert(command));
        Assert.All(tables, t => Assert.Equal(3, byBatch[t].Count));
        var byTracker = await WrittenThenRolledBackAsync(db, tables, async () =>
        {
            db.Cases.AddRange(made.Select(m => m.Case));
            db.Notifications.AddRange(made.Select(m => m.Rows.Notification));
            await db.SaveChangesAsync();
        });
        Assert.Equal(byTracker, byBatch);
    }

    private static int[] RowsPerInsert(string sql) => sql.Split("INSERT INTO").Skip(1).Select(i => i.Split("), (").Length).ToArray();

    /// <summary>The text of every command the context sends.</summary>
    private sealed class SentCommands : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public List<string> Texts { get; } = [];

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> NonQueryExecutingAsync(
            System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>
    /// What a batch consumer's inbox does with a batch's rows (<see cref="InsertBatch.OfTracked"/>): everything the tracker
    /// holds, when all of it is new, goes as the tracker's save would write it, and the tracker is emptied; with anything
    /// else tracked (an entity to update) the tracker is left as it was, for its own save.
    /// </summary>
    [Fact]
    public async Task What_the_tracker_holds_is_written_as_its_save_would_write_it_or_left_to_the_save()
    {
        var (rowsByBatch, rowsByTracker, leftAlone) = await intake.QueryAsync(async db =>
        {
            var (@case, rows) = await NewCaseAsync(db);
            void Track() => InsertBatchTests.Track(db, @case, rows);

            var byBatch = await WrittenThenRolledBackAsync(db, Tables, async () =>
            {
                Track();
                var batch = InsertBatch.OfTracked(db);
                Assert.NotNull(batch);
                Assert.Empty(db.ChangeTracker.Entries());
                await batch.ExecuteAsync(CancellationToken.None);
            });
            var byTracker = await WrittenThenRolledBackAsync(db, Tables, async () =>
            {
                Track();
                await db.SaveChangesAsync();
            });

            Track();
            db.Entry(rows.Card).State = EntityState.Modified;
            var tracked = db.ChangeTracker.Entries().Count();
            var refused = InsertBatch.OfTracked(db) is null && db.ChangeTracker.Entries().Count() == tracked;
            db.ChangeTracker.Clear();
            return (byBatch, byTracker, refused);
        });

        Assert.All(Tables, t => Assert.NotEmpty(rowsByBatch[t]));
        Assert.Equal(rowsByTracker, rowsByBatch);
        Assert.True(leftAlone, "with an entity to update among them, the tracker's entities are left to its save");
    }

    [Fact]
    public async Task A_split_entity_without_its_key_is_refused_before_anything_is_sent()
    {
        await intake.QueryAsync(async db =>
        {
            var (_, rows) = await NewCaseAsync(db, allotNotification: false);
            var error = Assert.Throws<InvalidOperationException>(() => new InsertBatch(db).Add(rows.Notification));
            Assert.Contains("split over 2 tables", error.Message, StringComparison.Ordinal);
            return 0;
        });
    }

    /// <summary>Adds a case and its rows to the context's tracker, as a registration through the save would.</summary>
    private static void Track(IntakeDbContext db, CaptureCase @case, CaseRows rows)
    {
        db.Cases.Add(@case);
        db.IdentityAssertions.AddRange(rows.Assertions);
        db.StatusChanges.Add(rows.Status);
        db.OutboxMessages.Add(rows.Event);
        db.CaptureCards.Add(rows.Card);
        db.Notifications.Add(rows.Notification);
        db.DuplicateCandidates.AddRange(rows.Candidates);
    }

    private sealed record CaseRows(
        IReadOnlyList<IdentityAssertion> Assertions, StatusChange Status, OutboxMessage Event, CaptureCard Card, IcrcNotification Notification,
        IReadOnlyList<DuplicateCandidate> Candidates);

    /// <summary>A case as a registration builds it, with its number (and its notification's id) taken from the identities.</summary>
    private static async Task<(CaptureCase, CaseRows)> NewCaseAsync(IntakeDbContext db, bool allotNotification = true)
    {
        var c = CaptureCase.Register(Guid.NewGuid(), new byte[CaptureCase.RequestHashLength],
            new CaptureDetails(Now.AddDays(-2), "Near Kupiansk", 49.71, 37.61, "unit 3", "ua-army", "taken in a trench"), Now);
        var assertions = c.Assert(new Dictionary<string, string?>
        {
            ["family_name"] = "Пак", ["given_names"] = "Ки Хён", ["family_name_latin"] = "Pak", ["given_names_latin"] = "Ki Hyon",
            ["date_of_birth"] = "1999-05", ["nationality"] = "KP", ["service_number"] = "77-1042",
        }, new AssertionSource(SourceKind.Document, "military id", null, null, null), Now);
        var status = c.InitialStatus(StatusCategory.PrisonerOfWar, Now);
        c.Allot(await db.Database.SqlQueryRaw<long>("""SELECT nextval(pg_get_serial_sequence('cases', 'Number')) AS "Value" """).SingleAsync());
        var notification = IcrcFeed.Notification(c, NotificationKind.Registration, IcrcFeed.RegisteredSummary(c), Now);
        if (allotNotification)
        {
            notification.Allot(await db.Database.SqlQueryRaw<long>("""SELECT nextval(pg_get_serial_sequence('notifications', 'Id')) AS "Value" """).SingleAsync());
        }

        // As duplicate detection finds them: one scored by record linkage (its comparisons as JSON, reasons with quotes and
        // non-ASCII), one named with a bare score (empty comparisons).
        var score = new LinkageScore(11.25, 0.97, [
            new FieldComparison("family_name", ComparisonLevel.Agree, "\"Пак\" = \"Пак\"", 6.5),
            new FieldComparison("date_of_birth", ComparisonLevel.Unknown, "", 0),
        ]);
        var candidates = new[]
        {
            DuplicateCandidate.Found(c.CaseId, c.Number, Guid.NewGuid(), c.Number - 1, score, Now),
            DuplicateCandidate.Found(c.CaseId, c.Number, Guid.NewGuid(), c.Number - 2, 0.5, "named by a coordinator", Now),
        };
        return (c, new CaseRows(assertions, status, OutboxMessage.Create(CaseEvents.Registered(c), Now),
            CaptureCard.Owed(c, CaptureCardReason.Admission, Now, Now), notification, candidates));
    }

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction, reads back what it wrote to each of <paramref name="tables"/> (the rows whose
    /// xmin is the transaction's own), as JSON without the database's identity keys, and rolls it back.
    /// </summary>
    private static async Task<Dictionary<string, List<string>>> WrittenThenRolledBackAsync(IntakeDbContext db, string[] tables, Func<Task> write,
        string orderBy = "1")
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        // As CaseStore commits: no savepoint around the save (whose rows would carry the savepoint's own transaction id).
        db.Database.AutoSavepointsEnabled = false;
        await write();
        var rows = new Dictionary<string, List<string>>();
        foreach (var table in tables)
        {
            // The notification's id was allotted (the same in both writes); the other tables' ids are the database's.
            var generated = table switch { "notifications" or "notification_bodies" => "", AccessAuditModel.Table => " - 'id'", _ => " - 'Id'" };
            var sql = $"""SELECT (to_jsonb(t){generated})::text AS "Value" FROM {table} AS t WHERE t.xmin::text = (txid_current() % 4294967296)::text ORDER BY {orderBy}""";
            rows[table] = await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
        }

        await transaction.RollbackAsync();
        db.Database.AutoSavepointsEnabled = true;
        db.ChangeTracker.Clear();
        return rows;
    }
}
