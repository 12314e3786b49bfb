using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Migrations
{
    /// <inheritdoc />
    public partial class DuplicateKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LatinNameKey",
                table: "cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NameKey",
                table: "cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            // Duplicate detection reads, for one nationality and birth year, only these columns: with them
            // in the index it is an index-only scan. EF cannot declare INCLUDE with the owner's columns on an
            // index of the owned identity, so the index keeps its name and model and gains them here.
            migrationBuilder.Sql("""
                DROP INDEX "IX_cases_Nationality_BirthYear";
                CREATE INDEX "IX_cases_Nationality_BirthYear" ON cases ("Nationality", "BirthYear")
                    INCLUDE ("Number", "CaseId", "MergedIntoCaseId", "ServiceNumberKey", "NameKey", "LatinNameKey");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_cases_Nationality_BirthYear";
                CREATE INDEX "IX_cases_Nationality_BirthYear" ON cases ("Nationality", "BirthYear");
                """);

            migrationBuilder.DropColumn(
                name: "LatinNameKey",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "NameKey",
                table: "cases");
        }
    }
}
