using Microsoft.EntityFrameworkCore;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>A service DbContext that publishes through the outbox.</summary>
public interface IOutboxStore
{
    DbSet<OutboxMessage> OutboxMessages { get; }
}

/// <summary>A service DbContext whose consumers record what they applied.</summary>
public interface IInboxStore
{
    DbSet<InboxMessage> InboxMessages { get; }
}

public static class MessagingModel
{
    public static ModelBuilder AddOutbox(this ModelBuilder model)
    {
        model.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(m => m.Id);
            e.Property(m => m.MessageType).HasMaxLength(300);
            e.Property(m => m.TraceParent).HasMaxLength(100);
            e.Property(m => m.TraceState).HasMaxLength(600);
            e.Property(m => m.LastError).HasMaxLength(2000);
            e.Property(m => m.OrderingKey).HasMaxLength(OutboxMessage.OrderingKeyLength);
            e.HasIndex(m => m.MessageId).IsUnique();
            // The dispatcher's query: pending (neither sent nor parked) messages in order.
            e.HasIndex(m => m.Id).HasFilter("\"SentAt\" IS NULL AND \"ParkedAt\" IS NULL").HasDatabaseName("ix_outbox_messages_unsent");
            // The subquery of the dispatcher's query: the cases held back by a row waiting for its next attempt (few rows).
            e.HasIndex(m => m.NextAttemptAt)
                .HasFilter("\"SentAt\" IS NULL AND \"ParkedAt\" IS NULL AND \"NextAttemptAt\" IS NOT NULL")
                .HasDatabaseName("ix_outbox_messages_retrying");
            // registryctl outbox parked and the parked-rows gauge.
            // A second index on Id, so named (an unnamed HasIndex on the same column would reconfigure the first).
            e.HasIndex(m => m.Id, "ix_outbox_messages_parked").HasFilter("\"ParkedAt\" IS NOT NULL");
            // The retention job's query: sent messages older than the window, found without reading the rest.
            e.HasIndex(m => m.SentAt).HasFilter("\"SentAt\" IS NOT NULL").HasDatabaseName("ix_outbox_messages_sent_at");
        });
        return model;
    }

    public static ModelBuilder AddInbox(this ModelBuilder model)
    {
        model.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(m => new { m.MessageId, m.Consumer });
            e.Property(m => m.Consumer).HasMaxLength(200);
            // The retention job's query: rows older than the window (the key is a random message id).
            e.HasIndex(m => m.ProcessedAt).HasDatabaseName("ix_inbox_messages_processed_at");
        });
        return model;
    }
}
