using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Migrations
{
    /// <inheritdoc />
    public partial class IcrcFeedPlacesAfterCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notification_counter");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_unplaced",
                table: "notifications",
                column: "Id",
                filter: "\"Sequence\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notifications_unplaced",
                table: "notifications");

            migrationBuilder.CreateTable(
                name: "notification_counter",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Last = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notification_counter", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "notification_counter",
                columns: new[] { "Id", "Last" },
                values: new object[] { 1, 0L });

            // The counter continues from the feed's high-water mark (the places given after commit).
            migrationBuilder.Sql("UPDATE notification_counter SET \"Last\" = (SELECT COALESCE(MAX(\"Sequence\"), 0) FROM notifications) WHERE \"Id\" = 1;");
        }
    }
}
