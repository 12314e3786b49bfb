using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Medical.Data.Sqlite.Migrations
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AssessmentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Conditions = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ClinicalReasons = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    AssessedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ValidUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AssessedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AssessedByAgency = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AssessedByClient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
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
