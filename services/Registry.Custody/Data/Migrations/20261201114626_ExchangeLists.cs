using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Custody.Data.Migrations
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
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    ExchangeListId = table.Column<Guid>(type: "uuid", nullable: false),
                    Operation = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_exchange_list_requests", x => x.RequestId);
                });

            migrationBuilder.CreateTable(
                name: "exchange_lists",
                columns: table => new
                {
                    Number = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ExchangeListId = table.Column<Guid>(type: "uuid", nullable: false),
                    CounterpartState = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    CounterpartAuthority = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    DraftedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    DraftedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    DraftedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AgreedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    AgreedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    AgreedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelledByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    CancelledByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    CancelledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ExecutedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ExecutedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ExecutionRecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ExecutedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_exchange_lists", x => x.Number);
                });

            migrationBuilder.CreateTable(
                name: "exchange_list_entries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ListNumber = table.Column<long>(type: "bigint", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseNumber = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ListedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    OnAgreedList = table.Column<bool>(type: "boolean", nullable: false),
                    Outcome = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    HeldBackReason = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    HeldBackDetail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
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
