using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class NameKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "NameKeyVersion",
                table: "cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "SearchKey",
                table: "cases",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_cases_NameKeyVersion",
                table: "cases",
                column: "NameKeyVersion");

            migrationBuilder.CreateIndex(
                name: "IX_cases_SearchKey",
                table: "cases",
                column: "SearchKey");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_NameKeyVersion",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_SearchKey",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "NameKeyVersion",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "SearchKey",
                table: "cases");
        }
    }
}
