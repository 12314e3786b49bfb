using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Custody.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CustodyLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Hospital",
                table: "custody_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReturnRisk",
                table: "custody_records",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ReturnRiskAssessedAt",
                table: "custody_records",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReturnWish",
                table: "custody_records",
                type: "TEXT",
                maxLength: 30,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ReturnWishRecordedAt",
                table: "custody_records",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "StateSince",
                table: "custody_records",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "TransferToAgency",
                table: "custody_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TransferToCountry",
                table: "custody_records",
                type: "TEXT",
                maxLength: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TransferToLocality",
                table: "custody_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TransferToName",
                table: "custody_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            // Records written before the lifecycle: their state began at the admission, or at the capture while awaiting it.
            migrationBuilder.Sql("UPDATE custody_records SET \"StateSince\" = COALESCE(\"AdmittedAt\", \"CapturedAt\");");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Hospital",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "ReturnRisk",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "ReturnRiskAssessedAt",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "ReturnWish",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "ReturnWishRecordedAt",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "StateSince",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "TransferToAgency",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "TransferToCountry",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "TransferToLocality",
                table: "custody_records");

            migrationBuilder.DropColumn(
                name: "TransferToName",
                table: "custody_records");
        }
    }
}
