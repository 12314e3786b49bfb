using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Custody.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MessagingRetentionIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_sent_at",
                table: "outbox_messages",
                column: "SentAt",
                filter: "\"SentAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_inbox_messages_processed_at",
                table: "inbox_messages",
                column: "ProcessedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_sent_at",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "ix_inbox_messages_processed_at",
                table: "inbox_messages");
        }
    }
}
