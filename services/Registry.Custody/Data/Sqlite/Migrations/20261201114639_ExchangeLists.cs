using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Custody.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ExchangeLists : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "exchange_list_requests",
                columns: table => new
                {
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    ExchangeListId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Operation = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_exchange_list_requests", x => x.RequestId);
                });

            migrationBuilder.CreateTable(
                name: "exchange_lists",
                columns: table => new
                {
                    Number = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExchangeListId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CounterpartState = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    CounterpartAuthority = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false),
                    DraftedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DraftedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DraftedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AgreedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AgreedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AgreedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelledByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CancelledByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CancelledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ExecutedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ExecutedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ExecutionRecordedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ExecutedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_exchange_lists", x => x.Number);
                });

            migrationBuilder.CreateTable(
                name: "exchange_list_entries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ListNumber = table.Column<long>(type: "INTEGER", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseNumber = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ListedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    OnAgreedList = table.Column<bool>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    HeldBackReason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    HeldBackDetail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_exchange_list_entries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_exchange_list_entries_exchange_lists_ListNumber",
                        column: x => x.ListNumber,
                        principalTable: "exchange_lists",
                        principalColumn: "Number",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_exchange_list_entries_CaseId_OnAgreedList",
                table: "exchange_list_entries",
                column: "CaseId",
                unique: true,
                filter: "\"OnAgreedList\"");

            migrationBuilder.CreateIndex(
                name: "IX_exchange_list_entries_ListNumber_CaseId",
                table: "exchange_list_entries",
                columns: new[] { "ListNumber", "CaseId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_exchange_list_requests_ExchangeListId",
                table: "exchange_list_requests",
                column: "ExchangeListId");

            migrationBuilder.CreateIndex(
                name: "IX_exchange_lists_ExchangeListId",
                table: "exchange_lists",
                column: "ExchangeListId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_exchange_lists_State_Number",
                table: "exchange_lists",
                columns: new[] { "State", "Number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "exchange_list_entries");

            migrationBuilder.DropTable(
                name: "exchange_list_requests");

            migrationBuilder.DropTable(
                name: "exchange_lists");
        }
    }
}
