using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Medical.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class EncountersAndConditions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ActiveConditions",
                table: "medical_records",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "HasIntakeExamination",
                table: "medical_records",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "LastExaminedAt",
                table: "medical_records",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Version",
                table: "medical_records",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "conditions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ConditionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    BodySite = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Cause = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    FoundInEncounterId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FoundAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ResolvedInEncounterId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_conditions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "encounters",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EncounterId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Place = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Clinician = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_encounters", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_conditions_CaseId_Id",
                table: "conditions",
                columns: new[] { "CaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_conditions_ConditionId",
                table: "conditions",
                column: "ConditionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_encounters_CaseId_OccurredAt_Id",
                table: "encounters",
                columns: new[] { "CaseId", "OccurredAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_encounters_EncounterId",
                table: "encounters",
                column: "EncounterId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_encounters_RequestId",
                table: "encounters",
                column: "RequestId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "conditions");

            migrationBuilder.DropTable(
                name: "encounters");

            migrationBuilder.DropColumn(
                name: "ActiveConditions",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "HasIntakeExamination",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "LastExaminedAt",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "medical_records");
        }
    }
}
