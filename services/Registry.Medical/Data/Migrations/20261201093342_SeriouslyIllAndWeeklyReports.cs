using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Medical.Data.Migrations
{
    /// <inheritdoc />
    public partial class SeriouslyIllAndWeeklyReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LastWeeklyReportAt",
                table: "medical_records",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SeriouslyIllSince",
                table: "medical_records",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "WeeklyReportDueBy",
                table: "medical_records",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "serious_illnesses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SeriousIllnessId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Grounds = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    MarkedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    MarkedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    MarkedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    Until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EndNote = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EndedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    EndedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    EndRequestId = table.Column<Guid>(type: "uuid", nullable: true),
                    EndRequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_serious_illnesses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "weekly_health_reports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ReportId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    State = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Notes = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RecordedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false)
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
