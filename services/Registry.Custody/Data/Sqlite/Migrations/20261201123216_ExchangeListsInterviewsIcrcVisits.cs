using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Custody.Data.Sqlite.Migrations
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    InterviewId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DurationMinutes = table.Column<int>(type: "INTEGER", nullable: false),
                    PlaceName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PlaceLocality = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    PlaceCountry = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    InterviewingAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Interviewer = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: false),
                    InterpreterName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    InterpreterAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    InterpreterFunction = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Fitness = table.Column<string>(type: "TEXT", maxLength: 1500, nullable: false),
                    FitnessAssessmentId = table.Column<string>(type: "TEXT", maxLength: 36, nullable: true),
                    OverrideReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RecordedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_custody_interviews", x => x.Id);
                });

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
                name: "icrc_visits",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VisitId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VisitingAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    VisitedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FacilityName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    FacilityLocality = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    FacilityCountry = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    Delegates = table.Column<string>(type: "TEXT", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_icrc_visits", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "custody_interview_present",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Agency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Function = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    InterviewRowId = table.Column<long>(type: "INTEGER", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "icrc_visit_private_interviews",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VisitRowId = table.Column<long>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
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
