using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Migrations
{
    /// <inheritdoc />
    public partial class SearchSyllables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "SearchSyllables",
                table: "cases",
                type: "text[]",
                nullable: true,
                computedColumnSql: "string_to_array(NULLIF(regexp_replace(\"SearchText\", '[^\\u3040-\\u30FF\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uAC00-\\uD7A3]', '', 'g'), ''), NULL)",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_cases_search_syllables",
                table: "cases",
                column: "SearchSyllables")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:StorageParameter:gin_pending_list_limit", 64);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_cases_search_syllables",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "SearchSyllables",
                table: "cases");
        }
    }
}
