using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class LinkageBlocking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Comparisons",
                table: "duplicate_candidates",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<double>(
                name: "MatchWeight",
                table: "duplicate_candidates",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "LinkageBirthYear",
                table: "cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkageFamilyBlock",
                table: "cases",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkageFamilyKey",
                table: "cases",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkageFullKey",
                table: "cases",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkageFullKeyLatin",
                table: "cases",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkageGivenBlock",
                table: "cases",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkageGivenKey",
                table: "cases",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_cases_LinkageFamilyBlock_LinkageBirthYear",
                table: "cases",
                columns: new[] { "LinkageFamilyBlock", "LinkageBirthYear" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_LinkageFamilyKey_Number",
                table: "cases",
                columns: new[] { "LinkageFamilyKey", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_LinkageFullKey_LinkageBirthYear",
                table: "cases",
                columns: new[] { "LinkageFullKey", "LinkageBirthYear" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_LinkageFullKeyLatin_LinkageBirthYear",
                table: "cases",
                columns: new[] { "LinkageFullKeyLatin", "LinkageBirthYear" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_LinkageGivenBlock_LinkageBirthYear",
                table: "cases",
                columns: new[] { "LinkageGivenBlock", "LinkageBirthYear" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_LinkageGivenKey_Number",
                table: "cases",
                columns: new[] { "LinkageGivenKey", "Number" });
            // Custom SQL: the blocking keys are C# (NameKeys), so existing cases get them from the name-key
            // rebuild at start (NameKeyRebuild), which recomputes every case whose key version is not current.
            migrationBuilder.Sql("UPDATE cases SET \"NameKeyVersion\" = 0;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_LinkageFamilyBlock_LinkageBirthYear",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_LinkageFamilyKey_Number",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_LinkageFullKey_LinkageBirthYear",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_LinkageFullKeyLatin_LinkageBirthYear",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_LinkageGivenBlock_LinkageBirthYear",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_LinkageGivenKey_Number",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "Comparisons",
                table: "duplicate_candidates");

            migrationBuilder.DropColumn(
                name: "MatchWeight",
                table: "duplicate_candidates");

            migrationBuilder.DropColumn(
                name: "LinkageBirthYear",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "LinkageFamilyBlock",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "LinkageFamilyKey",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "LinkageFullKey",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "LinkageFullKeyLatin",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "LinkageGivenBlock",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "LinkageGivenKey",
                table: "cases");
        }
    }
}
