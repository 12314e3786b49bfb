using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CaseShares : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "case_shares",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ShareId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseNumber = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PartnerAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ValidUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    SharedByClientId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SharedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SharedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedByClientId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RevokedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RevocationReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_shares", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_case_shares_CaseId_Id",
                table: "case_shares",
                columns: new[] { "CaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_case_shares_PartnerAgency_Id",
                table: "case_shares",
                columns: new[] { "PartnerAgency", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_case_shares_RequestId",
                table: "case_shares",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_case_shares_ShareId",
                table: "case_shares",
                column: "ShareId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "case_shares");
        }
    }
}
