using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Medical.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TreatmentCertificates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FamilyName",
                table: "medical_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FamilyNameLatin",
                table: "medical_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "GivenNames",
                table: "medical_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "GivenNamesLatin",
                table: "medical_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "treatment_certificates",
                columns: table => new
                {
                    Number = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CertificateId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseNumber = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FamilyName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    GivenNames = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    FamilyNameLatin = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    GivenNamesLatin = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ConditionIds = table.Column<string>(type: "TEXT", nullable: false),
                    ConditionsStated = table.Column<string>(type: "TEXT", nullable: false),
                    Nature = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Treatment = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    TreatmentFrom = table.Column<long>(type: "INTEGER", nullable: false),
                    TreatmentTo = table.Column<long>(type: "INTEGER", nullable: true),
                    Place = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    MedicName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    MedicFunction = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    IssuedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    IssuedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_treatment_certificates", x => x.Number);
                });

            migrationBuilder.CreateIndex(
                name: "IX_treatment_certificates_CaseId_Number",
                table: "treatment_certificates",
                columns: new[] { "CaseId", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_treatment_certificates_CertificateId",
                table: "treatment_certificates",
                column: "CertificateId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_treatment_certificates_RequestId",
                table: "treatment_certificates",
                column: "RequestId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "treatment_certificates");

            migrationBuilder.DropColumn(
                name: "FamilyName",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "FamilyNameLatin",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "GivenNames",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "GivenNamesLatin",
                table: "medical_records");
        }
    }
}
