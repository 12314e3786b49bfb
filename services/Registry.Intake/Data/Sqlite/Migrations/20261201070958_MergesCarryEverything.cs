using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MergesCarryEverything : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DecidedByAgency",
                table: "duplicate_candidates",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DecidedByClient",
                table: "duplicate_candidates",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AlsoKnownAs",
                table: "cases",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "duplicate_decisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DecisionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CandidateId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseNumber = table.Column<long>(type: "INTEGER", nullable: false),
                    OtherCaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OtherCaseNumber = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    DecidedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DecidedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_duplicate_decisions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_duplicate_decisions_CaseId_Id",
                table: "duplicate_decisions",
                columns: new[] { "CaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_duplicate_decisions_DecisionId",
                table: "duplicate_decisions",
                column: "DecisionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_duplicate_decisions_OtherCaseId_Id",
                table: "duplicate_decisions",
                columns: new[] { "OtherCaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_duplicate_decisions_RequestId",
                table: "duplicate_decisions",
                column: "RequestId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "duplicate_decisions");

            migrationBuilder.DropColumn(
                name: "DecidedByAgency",
                table: "duplicate_candidates");

            migrationBuilder.DropColumn(
                name: "DecidedByClient",
                table: "duplicate_candidates");

            migrationBuilder.DropColumn(
                name: "AlsoKnownAs",
                table: "cases");
        }
    }
}
