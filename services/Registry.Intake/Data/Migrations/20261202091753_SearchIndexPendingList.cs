using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Migrations
{
    /// <summary>
    /// The name-search GIN indexes keep a pending list of at most 64 kB (<c>CaptureCaseConfiguration.PendingListLimitKilobytes</c>),
    /// set in place: the model's change would drop and build both indexes again, minutes of a write lock at a million cases.
    /// The list already pending stays until its next merge (the first insert past the limit, or VACUUM).
    /// </summary>
    public partial class SearchIndexPendingList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER INDEX ix_cases_search_key_trgm SET (gin_pending_list_limit = 64);");
            migrationBuilder.Sql("ALTER INDEX ix_cases_search_text_trgm SET (gin_pending_list_limit = 64);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER INDEX ix_cases_search_key_trgm RESET (gin_pending_list_limit);");
            migrationBuilder.Sql("ALTER INDEX ix_cases_search_text_trgm RESET (gin_pending_list_limit);");
        }
    }
}
