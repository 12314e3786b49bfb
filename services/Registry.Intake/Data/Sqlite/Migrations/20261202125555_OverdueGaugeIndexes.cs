using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OverdueGaugeIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_notifications_unacknowledged",
                table: "notifications",
                column: "DueAt",
                filter: "\"AcknowledgedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_capture_cards_owed",
                table: "capture_cards",
                column: "DueAt",
                filter: "\"IssuedAt\" IS NULL AND \"WithdrawnAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notifications_unacknowledged",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "ix_capture_cards_owed",
                table: "capture_cards");
        }
    }
}
