using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Medical.Data.Migrations
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
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FamilyNameLatin",
                table: "medical_records",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "GivenNames",
                table: "medical_records",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "GivenNamesLatin",
                table: "medical_records",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "treatment_certificates",
                columns: table => new
                {
                    Number = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CertificateId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseNumber = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FamilyName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    GivenNames = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    FamilyNameLatin = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    GivenNamesLatin = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ConditionIds = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    ConditionsStated = table.Column<List<string>>(type: "text[]", nullable: false),
                    Nature = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Treatment = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    TreatmentFrom = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    TreatmentTo = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Place = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    MedicName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    MedicFunction = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    IssuedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    IssuedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false)
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
