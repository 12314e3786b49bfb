using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Custody.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExchangeListsInterviewsIcrcVisits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "custody_interviews",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    InterviewId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DurationMinutes = table.Column<int>(type: "integer", nullable: false),
                    PlaceName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PlaceLocality = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    PlaceCountry = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    InterviewingAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Interviewer = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Language = table.Column<string>(type: "character varying(35)", maxLength: 35, nullable: false),
                    InterpreterName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    InterpreterAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    InterpreterFunction = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Fitness = table.Column<string>(type: "character varying(1500)", maxLength: 1500, nullable: false),
                    FitnessAssessmentId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: true),
                    OverrideReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RecordedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_custody_interviews", x => x.Id);
                });

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
                name: "icrc_visits",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VisitId = table.Column<Guid>(type: "uuid", nullable: false),
                    VisitingAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    VisitedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FacilityName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    FacilityLocality = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    FacilityCountry = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    Delegates = table.Column<List<string>>(type: "text[]", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_icrc_visits", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "custody_interview_present",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Agency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Function = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    InterviewRowId = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_custody_interview_present", x => x.Id);
                    table.ForeignKey(
                        name: "FK_custody_interview_present_custody_interviews_InterviewRowId",
                        column: x => x.InterviewRowId,
                        principalTable: "custody_interviews",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
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

            migrationBuilder.CreateTable(
                name: "icrc_visit_private_interviews",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    VisitRowId = table.Column<long>(type: "bigint", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_icrc_visit_private_interviews", x => new { x.VisitRowId, x.CaseId });
                    table.ForeignKey(
                        name: "FK_icrc_visit_private_interviews_icrc_visits_VisitRowId",
                        column: x => x.VisitRowId,
                        principalTable: "icrc_visits",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_custody_interview_present_Agency",
                table: "custody_interview_present",
                column: "Agency");

            migrationBuilder.CreateIndex(
                name: "IX_custody_interview_present_InterviewRowId",
                table: "custody_interview_present",
                column: "InterviewRowId");

            migrationBuilder.CreateIndex(
                name: "IX_custody_interviews_CaseId_StartedAt_Id",
                table: "custody_interviews",
                columns: new[] { "CaseId", "StartedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_custody_interviews_InterviewId",
                table: "custody_interviews",
                column: "InterviewId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_custody_interviews_RequestId",
                table: "custody_interviews",
                column: "RequestId",
                unique: true);

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

            migrationBuilder.CreateIndex(
                name: "IX_icrc_visit_private_interviews_CaseId",
                table: "icrc_visit_private_interviews",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_icrc_visits_RequestId",
                table: "icrc_visits",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_icrc_visits_VisitedAt_Id",
                table: "icrc_visits",
                columns: new[] { "VisitedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_icrc_visits_VisitId",
                table: "icrc_visits",
                column: "VisitId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "custody_interview_present");

            migrationBuilder.DropTable(
                name: "exchange_list_entries");

            migrationBuilder.DropTable(
                name: "exchange_list_requests");

            migrationBuilder.DropTable(
                name: "icrc_visit_private_interviews");

            migrationBuilder.DropTable(
                name: "custody_interviews");

            migrationBuilder.DropTable(
                name: "exchange_lists");

            migrationBuilder.DropTable(
                name: "icrc_visits");
        }
    }
}
