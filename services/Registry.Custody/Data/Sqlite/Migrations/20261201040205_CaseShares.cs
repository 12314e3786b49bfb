using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Custody.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CaseShares : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "custody_shares",
                columns: table => new
                {
                    ShareId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PartnerAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ValidUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_custody_shares", x => x.ShareId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_custody_shares_CaseId",
                table: "custody_shares",
                column: "CaseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "custody_shares");
        }
    }
}
