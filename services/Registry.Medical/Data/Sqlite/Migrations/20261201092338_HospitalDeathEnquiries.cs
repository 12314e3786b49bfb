using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Medical.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class HospitalDeathEnquiries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "DiedAt",
                table: "medical_records",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EnquiriesOpened",
                table: "medical_records",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "HospitalisedSince",
                table: "medical_records",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "deaths",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DeathId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DiedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Place = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Cause = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Manner = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CertificateNumber = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CertificateIssuedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CertificateIssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CertifiedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CertifiedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    EndedStayId = table.Column<Guid>(type: "TEXT", nullable: true),
                    EnquiryId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deaths", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "enquiries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EnquiryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Grounds = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Circumstances = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    OpenedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OpenedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Findings = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ClosedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: true),
                    CloseRequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CloseRequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enquiries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "hospital_stays",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StayId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    HospitalName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    HospitalLocality = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    HospitalCountry = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    AdmittedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    DischargedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    DischargeNotes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    AdmittedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AdmittedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DischargedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    DischargedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    DischargeRequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DischargeRequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hospital_stays", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_deaths_CaseId",
                table: "deaths",
                column: "CaseId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_deaths_DeathId",
                table: "deaths",
                column: "DeathId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_deaths_RequestId",
                table: "deaths",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_enquiries_CaseId_Id",
                table: "enquiries",
                columns: new[] { "CaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_enquiries_CloseRequestId",
                table: "enquiries",
                column: "CloseRequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_enquiries_EnquiryId",
                table: "enquiries",
                column: "EnquiryId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_enquiries_Reference",
                table: "enquiries",
                column: "Reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_enquiries_RequestId",
                table: "enquiries",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_enquiries_Status_Id",
                table: "enquiries",
                columns: new[] { "Status", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_hospital_stays_CaseId_AdmittedAt_Id",
                table: "hospital_stays",
                columns: new[] { "CaseId", "AdmittedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_hospital_stays_DischargeRequestId",
                table: "hospital_stays",
                column: "DischargeRequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_hospital_stays_RequestId",
                table: "hospital_stays",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_hospital_stays_StayId",
                table: "hospital_stays",
                column: "StayId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deaths");

            migrationBuilder.DropTable(
                name: "enquiries");

            migrationBuilder.DropTable(
                name: "hospital_stays");

            migrationBuilder.DropColumn(
                name: "DiedAt",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "EnquiriesOpened",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "HospitalisedSince",
                table: "medical_records");
        }
    }
}
