using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Medical.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AccessEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "access_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    service = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    case_ids = table.Column<string>(type: "TEXT", nullable: false),
                    client_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    agency = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    roles = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    withheld = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    trace_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    decided_by = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_access_events", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_access_events_agency",
                table: "access_events",
                columns: new[] { "agency", "occurred_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_access_events_occurred_at",
                table: "access_events",
                columns: new[] { "occurred_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "access_events");
        }
    }
}
