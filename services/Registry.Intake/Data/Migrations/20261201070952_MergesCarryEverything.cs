using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Intake.Data.Migrations
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
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DecidedByClient",
                table: "duplicate_candidates",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "SearchText",
                table: "cases",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(2000)",
                oldMaxLength: 2000);

            migrationBuilder.AlterColumn<string>(
                name: "SearchKey",
                table: "cases",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(2000)",
                oldMaxLength: 2000,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AlsoKnownAs",
                table: "cases",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "duplicate_decisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DecisionId = table.Column<Guid>(type: "uuid", nullable: false),
                    CandidateId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseNumber = table.Column<long>(type: "bigint", nullable: false),
                    OtherCaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    OtherCaseNumber = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    DecidedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    DecidedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: true),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: true)
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

            migrationBuilder.AlterColumn<string>(
                name: "SearchText",
                table: "cases",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(4000)",
                oldMaxLength: 4000);

            migrationBuilder.AlterColumn<string>(
                name: "SearchKey",
                table: "cases",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(4000)",
                oldMaxLength: 4000,
                oldNullable: true);
        }
    }
}
