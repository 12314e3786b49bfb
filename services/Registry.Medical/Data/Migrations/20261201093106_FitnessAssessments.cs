using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Medical.Data.Migrations
{
    /// <inheritdoc />
    public partial class FitnessAssessments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "fitness_assessments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AssessmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Purpose = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Conditions = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ClinicalReasons = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    AssessedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ValidUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AssessedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    AssessedByAgency = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    AssessedByClient = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_fitness_assessments", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_fitness_assessments_AssessmentId",
                table: "fitness_assessments",
                column: "AssessmentId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_fitness_assessments_CaseId_AssessedAt_Id",
                table: "fitness_assessments",
                columns: new[] { "CaseId", "AssessedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_fitness_assessments_CaseId_Purpose_AssessedAt_Id",
                table: "fitness_assessments",
                columns: new[] { "CaseId", "Purpose", "AssessedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_fitness_assessments_RequestId",
                table: "fitness_assessments",
                column: "RequestId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "fitness_assessments");
        }
    }
}
