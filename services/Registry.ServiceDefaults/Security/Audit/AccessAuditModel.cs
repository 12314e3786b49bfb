using Microsoft.EntityFrameworkCore;

namespace Registry.ServiceDefaults.Security.Audit;

/// <summary>
/// One row of a service's <c>access_events</c> table: an <see cref="AccessEvent"/> as stored. Append-only: no code
/// updates or deletes a row, and on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE
/// (<see cref="AccessAuditModel.CreateAppendOnlyTriggerSql"/>).
/// </summary>
public sealed class AccessEventRow
{
    /// <summary>Identity (bigint on PostgreSQL, integer autoincrement on SQLite); the tie-breaker of the paging order.</summary>
    public long Id { get; init; }

    /// <summary>UTC, to the microsecond (PostgreSQL's precision, so a page position reads back exactly).</summary>
    public DateTimeOffset OccurredAt { get; init; }

    public string Service { get; init; } = "";
    public string Method { get; init; } = "";

    /// <summary>uuid[] with a GIN index on PostgreSQL (the "by case" query); JSON text on SQLite.</summary>
    public Guid[] CaseIds { get; init; } = [];

    public string ClientId { get; init; } = "";
    public string Agency { get; init; } = "";
    public string Roles { get; init; } = "";
    public string Outcome { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Withheld { get; init; } = "";
    public string TraceId { get; init; } = "";
    public string DecidedBy { get; init; } = "";
}

/// <summary>A service DbContext that keeps its access audit (every service owning case data).</summary>
public interface IAccessAuditStore
{
    DbSet<AccessEventRow> AccessEvents { get; }
}

/// <summary>The one model of <c>access_events</c>, applied by each service's DbContext (as the outbox and inbox are).</summary>
public static class AccessAuditModel
{
    public const string Table = "access_events";

    /// <summary>Longest stored reason (a status message); longer ones are cut, never refused: an access must be recorded.</summary>
    public const int ReasonLength = 1000;

    /// <summary>
    /// PostgreSQL: the function and triggers that make <c>access_events</c> append-only (UPDATE and DELETE per row,
    /// TRUNCATE per statement), created by each service's migration. The text is part of those migrations: never
    /// edit it; a change is a new constant and a new migration.
    /// </summary>
    public const string CreateAppendOnlyTriggerSql = """
        CREATE FUNCTION access_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'access_events is append-only: % refused (the access audit is never changed or removed; GC III Art. 13, QUALITY.md "Security")', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END;
        $$;
        CREATE TRIGGER access_events_no_update_or_delete BEFORE UPDATE OR DELETE ON access_events
          FOR EACH ROW EXECUTE FUNCTION access_events_append_only();
        CREATE TRIGGER access_events_no_truncate BEFORE TRUNCATE ON access_events
          FOR EACH STATEMENT EXECUTE FUNCTION access_events_append_only();
        """;

    /// <summary>The down migration of <see cref="CreateAppendOnlyTriggerSql"/>.</summary>
    public const string DropAppendOnlyTriggerSql = """
        DROP TRIGGER IF EXISTS access_events_no_truncate ON access_events;
        DROP TRIGGER IF EXISTS access_events_no_update_or_delete ON access_events;
        DROP FUNCTION IF EXISTS access_events_append_only();
        """;

    /// <summary>
    /// Maps <see cref="AccessEventRow"/> to <c>access_events</c> with snake_case columns (an auditor may read the table
    /// with psql) and the indexes of the three filters, each ending in the paging order (occurred_at, id).
    /// </summary>
    public static ModelBuilder AddAccessEvents(this ModelBuilder model, bool npgsql)
    {
        model.Entity<AccessEventRow>(e =>
        {
            e.ToTable(Table);
            e.HasKey(r => r.Id);
            e.Property(r => r.Id).HasColumnName("id").ValueGeneratedOnAdd();
            e.Property(r => r.OccurredAt).HasColumnName("occurred_at");
            e.Property(r => r.Service).HasColumnName("service").HasMaxLength(50);
            e.Property(r => r.Method).HasColumnName("method").HasMaxLength(200);
            e.Property(r => r.CaseIds).HasColumnName("case_ids");
            e.Property(r => r.ClientId).HasColumnName("client_id").HasMaxLength(200);
            e.Property(r => r.Agency).HasColumnName("agency").HasMaxLength(100);
            e.Property(r => r.Roles).HasColumnName("roles").HasMaxLength(500);
            e.Property(r => r.Outcome).HasColumnName("outcome").HasMaxLength(50);
            e.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(ReasonLength);
            e.Property(r => r.Withheld).HasColumnName("withheld").HasMaxLength(500);
            e.Property(r => r.TraceId).HasColumnName("trace_id").HasMaxLength(32);
            e.Property(r => r.DecidedBy).HasColumnName("decided_by").HasMaxLength(50);

            // By time range (and everything unfiltered): the paging order itself.
            e.HasIndex(r => new { r.OccurredAt, r.Id }).HasDatabaseName("ix_access_events_occurred_at");
            // By agency.
            e.HasIndex(r => new { r.Agency, r.OccurredAt, r.Id }).HasDatabaseName("ix_access_events_agency");
            if (npgsql)
            {
                // By case: case_ids @> ARRAY[case] (AccessAuditQuery) uses a GIN index.
                e.HasIndex(r => r.CaseIds).HasMethod("gin").HasDatabaseName("ix_access_events_case_ids");
            }
        });
        return model;
    }
}
