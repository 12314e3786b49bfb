using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Migrations
{
    /// <inheritdoc />
    public partial class NameKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "SearchText",
                table: "cases",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(1000)",
                oldMaxLength: 1000);

            migrationBuilder.AddColumn<int>(
                name: "NameKeyVersion",
                table: "cases",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "SearchKey",
                table: "cases",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_cases_NameKeyVersion",
                table: "cases",
                column: "NameKeyVersion");

            migrationBuilder.CreateIndex(
                name: "ix_cases_search_key_trgm",
                table: "cases",
                column: "SearchKey")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            // Duplicate detection also reads the keys' version now (keys of another version are recomputed):
            // kept in the index's INCLUDE list so the read stays an index-only scan (see migration DuplicateKeys).
            migrationBuilder.Sql("""
                DROP INDEX "IX_cases_Nationality_BirthYear";
                CREATE INDEX "IX_cases_Nationality_BirthYear" ON cases ("Nationality", "BirthYear")
                    INCLUDE ("Number", "CaseId", "MergedIntoCaseId", "ServiceNumberKey", "NameKey", "LatinNameKey", "NameKeyVersion");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_cases_Nationality_BirthYear";
                CREATE INDEX "IX_cases_Nationality_BirthYear" ON cases ("Nationality", "BirthYear")
                    INCLUDE ("Number", "CaseId", "MergedIntoCaseId", "ServiceNumberKey", "NameKey", "LatinNameKey");
                """);

            migrationBuilder.DropIndex(
                name: "IX_cases_NameKeyVersion",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "ix_cases_search_key_trgm",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "NameKeyVersion",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "SearchKey",
                table: "cases");

            migrationBuilder.AlterColumn<string>(
                name: "SearchText",
                table: "cases",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(2000)",
                oldMaxLength: 2000);
        }
    }
}
