using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Medical.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SeriouslyIllAndWeeklyReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LastWeeklyReportAt",
                table: "medical_records",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SeriouslyIllSince",
                table: "medical_records",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "WeeklyReportDueBy",
                table: "medical_records",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "serious_illnesses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SeriousIllnessId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Since = table.Column<long>(type: "INTEGER", nullable: false),
                    Grounds = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    MarkedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    MarkedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    MarkedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    Until = table.Column<long>(type: "INTEGER", nullable: true),
                    EndNote = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    EndedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    EndRequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    EndRequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_serious_illnesses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "weekly_health_reports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReportId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReportedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RecordedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_weekly_health_reports", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_serious_illnesses_CaseId_Id",
                table: "serious_illnesses",
                columns: new[] { "CaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_serious_illnesses_EndRequestId",
                table: "serious_illnesses",
                column: "EndRequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_serious_illnesses_RequestId",
                table: "serious_illnesses",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_serious_illnesses_SeriousIllnessId",
                table: "serious_illnesses",
                column: "SeriousIllnessId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_weekly_health_reports_CaseId_ReportedAt_Id",
                table: "weekly_health_reports",
                columns: new[] { "CaseId", "ReportedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_weekly_health_reports_ReportId",
                table: "weekly_health_reports",
                column: "ReportId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_weekly_health_reports_RequestId",
                table: "weekly_health_reports",
                column: "RequestId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "serious_illnesses");

            migrationBuilder.DropTable(
                name: "weekly_health_reports");

            migrationBuilder.DropColumn(
                name: "LastWeeklyReportAt",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "SeriouslyIllSince",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "WeeklyReportDueBy",
                table: "medical_records");
        }
    }
}
