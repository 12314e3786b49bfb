using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Custody.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ReturnsNonRefoulement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "return_risk_assessments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AssessmentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Grounds = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    AssessedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AssessedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AssessedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AssessedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_return_risk_assessments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "return_wishes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    WishId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Wish = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    TakenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    TakenBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    TakenByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    TakenByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_return_wishes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "third_state_transfers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EventSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivingState = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    ReceivingAuthority = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PartyToConvention = table.Column<bool>(type: "INTEGER", nullable: false),
                    WillingnessAndAbility = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    AssuredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AssuredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RecordedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_third_state_transfers", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_return_risk_assessments_AssessmentId",
                table: "return_risk_assessments",
                column: "AssessmentId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_return_risk_assessments_CaseId_AssessedAt_Id",
                table: "return_risk_assessments",
                columns: new[] { "CaseId", "AssessedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_return_risk_assessments_RequestId",
                table: "return_risk_assessments",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_return_wishes_CaseId_TakenAt_Id",
                table: "return_wishes",
                columns: new[] { "CaseId", "TakenAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_return_wishes_RequestId",
                table: "return_wishes",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_return_wishes_WishId",
                table: "return_wishes",
                column: "WishId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_third_state_transfers_CaseId",
                table: "third_state_transfers",
                column: "CaseId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "return_risk_assessments");

            migrationBuilder.DropTable(
                name: "return_wishes");

            migrationBuilder.DropTable(
                name: "third_state_transfers");
        }
    }
}
