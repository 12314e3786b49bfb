using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Registry.ServiceDefaults.Data;

namespace Registry.Deploy.Tests;

/// <summary>
/// What a batch consumer's inbox writes without the save (<see cref="InsertBatch.OfTracked"/>) and what it leaves to the save,
/// on a model of its own: the batch is built and "executed" against a connection that never opens (the command is recorded,
/// not sent), so what is checked is the decision and the statements' order. That the rows are those the save writes is
/// InsertBatchTests' (Registry.Intake.Tests, on PostgreSQL); that custody's and medical's batches take this path is their
/// CaseRegisteredBatchTests'.
/// </summary>
public sealed class InsertBatchOfTrackedTests
{
    [Fact]
    public async Task Principals_rows_go_before_their_dependents_and_the_tracker_is_emptied()
    {
        await using var db = TestDb.Create(out var sent);
        db.Add(new Child { Id = Guid.NewGuid(), ParentId = 7, Note = "added first" });
        db.Add(new Parent { Id = 7, Name = "added second" });

        var batch = InsertBatch.OfTracked(db);

        Assert.NotNull(batch);
        Assert.Empty(db.ChangeTracker.Entries());
        await batch.ExecuteAsync(CancellationToken.None);
        var sql = Assert.Single(sent);
        Assert.True(sql.IndexOf("\"parents\"", StringComparison.Ordinal) < sql.IndexOf("\"children\"", StringComparison.Ordinal), sql);
    }

    [Fact]
    public void A_foreign_key_waiting_for_a_key_the_database_generates_is_left_to_the_save()
    {
        using var db = TestDb.Create(out _);
        var parent = new Parent { Name = "its key from the identity" };
        db.Add(new Child { Id = Guid.NewGuid(), Parent = parent });

        AssertLeftToTheSave(db, 2);
    }

    [Fact]
    public async Task A_key_the_database_generates_is_left_out_when_no_one_waits_for_it_and_an_owned_type_goes_in_its_owners_row()
    {
        await using var db = TestDb.Create(out var sent);
        db.Add(new Parent { Name = "its key from the identity" });
        db.Add(new Holder { Where = new Place { Name = "Olenivka" } });

        var batch = InsertBatch.OfTracked(db);

        Assert.NotNull(batch);
        await batch.ExecuteAsync(CancellationToken.None);
        var sql = Assert.Single(sent);
        Assert.Contains("INSERT INTO \"parents\" (\"Name\")", sql, StringComparison.Ordinal);
        Assert.Contains("INSERT INTO \"holders\" (\"WhereName\")", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_on_a_property_left_empty_is_left_to_the_save()
    {
        using var db = TestDb.Create(out _);
        db.Add(new Defaulted { Id = Guid.NewGuid(), Agency = null });
        AssertLeftToTheSave(db, 1);

        db.ChangeTracker.Clear();
        db.Add(new Defaulted { Id = Guid.NewGuid(), Agency = "UA-SSO" });
        Assert.NotNull(InsertBatch.OfTracked(db));
    }

    [Fact]
    public void An_entity_to_update_a_shadow_property_or_a_cycle_of_types_is_left_to_the_save()
    {
        using (var db = TestDb.Create(out _))
        {
            var parent = new Parent { Id = 3, Name = "stored" };
            db.Attach(parent);
            parent.Name = "renamed";
            db.Add(new Parent { Id = 4, Name = "new" });
            AssertLeftToTheSave(db, 2);
        }

        using (var db = TestDb.Create(out _))
        {
            db.Add(new Shadowed { Id = Guid.NewGuid() });
            AssertLeftToTheSave(db, 1);
        }

        using (var db = TestDb.Create(out _))
        {
            // Each the other's principal: no order puts every principal first.
            var hen = new Hen { Id = Guid.NewGuid() };
            var egg = new Egg { Id = Guid.NewGuid(), HenId = hen.Id };
            hen.EggId = egg.Id;
            db.AddRange(hen, egg);
            AssertLeftToTheSave(db, 2);
        }
    }

    private static void AssertLeftToTheSave(DbContext db, int tracked)
    {
        Assert.Null(InsertBatch.OfTracked(db));
        Assert.Equal(tracked, db.ChangeTracker.Entries().Count());
    }

    private sealed class Parent
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
    }

    private sealed class Child
    {
        public Guid Id { get; set; }
        public long ParentId { get; set; }
        public Parent? Parent { get; set; }
        public string Note { get; set; } = "";
    }

    private sealed class Holder
    {
        public long Id { get; set; }
        public Place? Where { get; set; }
    }

    private sealed class Place
    {
        public string Name { get; set; } = "";
    }

    private sealed class Defaulted
    {
        public Guid Id { get; set; }
        public string? Agency { get; set; }
    }

    private sealed class Shadowed
    {
        public Guid Id { get; set; }
    }

    private sealed class Hen
    {
        public Guid Id { get; set; }
        public Guid? EggId { get; set; }
    }

    private sealed class Egg
    {
        public Guid Id { get; set; }
        public Guid? HenId { get; set; }
    }

    private sealed class TestDb(DbContextOptions<TestDb> options) : DbContext(options)
    {
        public static TestDb Create(out List<string> sent)
        {
            var recorder = new Recorder();
            sent = recorder.Sent;
            return new TestDb(new DbContextOptionsBuilder<TestDb>()
                .UseNpgsql("Host=127.0.0.1;Database=never_opened;Username=none;Password=none")
                .AddInterceptors(recorder)
                .Options);
        }

        protected override void OnModelCreating(ModelBuilder model)
        {
            model.Entity<Parent>().ToTable("parents").Property(p => p.Id).UseIdentityByDefaultColumn();
            model.Entity<Child>().ToTable("children").HasOne(c => c.Parent).WithMany().HasForeignKey(c => c.ParentId);
            model.Entity<Holder>(e =>
            {
                e.ToTable("holders").Property(h => h.Id).UseIdentityByDefaultColumn();
                e.OwnsOne(h => h.Where, w => w.Property(p => p.Name).HasColumnName("WhereName"));
            });
            model.Entity<Defaulted>().ToTable("defaulted").Property(d => d.Agency).HasDefaultValue("");
            model.Entity<Shadowed>().ToTable("shadowed").Property<DateTime>("Stamp");
            model.Entity<Hen>().ToTable("hens").HasOne<Egg>().WithMany().HasForeignKey(h => h.EggId);
            model.Entity<Egg>().ToTable("eggs").HasOne<Hen>().WithMany().HasForeignKey(e => e.HenId);
        }
    }

    /// <summary>Opens no connection and sends no command: records each command's text instead.</summary>
    private sealed class Recorder : DbConnectionInterceptor, IDbCommandInterceptor
    {
        public List<string> Sent { get; } = [];

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default) => ValueTask.FromResult(InterceptionResult.Suppress());

        public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Sent.Add(command.CommandText);
            return ValueTask.FromResult(InterceptionResult<int>.SuppressWithResult(0));
        }
    }
}
