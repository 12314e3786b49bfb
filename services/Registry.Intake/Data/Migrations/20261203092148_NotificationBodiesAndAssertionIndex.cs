using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Migrations
{
    /// <inheritdoc />
    public partial class NotificationBodiesAndAssertionIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "notification_bodies",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    Summary = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notification_bodies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_notification_bodies_notifications_Id",
                        column: x => x.Id,
                        principalTable: "notifications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The bodies move with their notifications' ids before the columns go (nothing is lost).
            migrationBuilder.Sql("""INSERT INTO notification_bodies ("Id", "Summary", "Payload") SELECT "Id", "Summary", "Payload" FROM notifications""");

            migrationBuilder.DropColumn(
                name: "Payload",
                table: "notifications");

            migrationBuilder.DropColumn(
                name: "Summary",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "ix_notifications_unplaced",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "IX_identity_assertions_CaseId_Id",
                table: "identity_assertions");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_unplaced",
                table: "notifications",
                columns: new[] { "Id", "Sequence" },
                filter: "\"Sequence\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_identity_assertions_CaseId",
                table: "identity_assertions",
                column: "CaseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notifications_unplaced",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "IX_identity_assertions_CaseId",
                table: "identity_assertions");

            migrationBuilder.AddColumn<string>(
                name: "Payload",
                table: "notifications",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Summary",
                table: "notifications",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: false,
                defaultValue: "");

            // The bodies go back into their notifications' rows before their table goes.
            migrationBuilder.Sql("""UPDATE notifications SET "Summary" = b."Summary", "Payload" = b."Payload" FROM notification_bodies AS b WHERE b."Id" = notifications."Id" """);

            migrationBuilder.DropTable(
                name: "notification_bodies");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_unplaced",
                table: "notifications",
                column: "Id",
                filter: "\"Sequence\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_identity_assertions_CaseId_Id",
                table: "identity_assertions",
                columns: new[] { "CaseId", "Id" });
        }
    }
}
