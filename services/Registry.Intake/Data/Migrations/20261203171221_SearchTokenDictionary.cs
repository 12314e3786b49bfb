using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Migrations
{
    /// <summary>
    /// The dictionary of the cases' distinct cross-script tokens for the fuzzy word stage of name search (issue 15): the table
    /// <c>search_tokens</c>, partitioned by each token's number of distinct trigrams so that a query word is compared only with
    /// the tokens whose trigram count allows its similarity threshold; a trigger on <c>cases</c> that adds the new tokens of
    /// every INSERT (COPY included) and of every UPDATE that changes <c>SearchKey</c>; and the tokens of the cases already
    /// stored. See <c>SearchTokenDictionary</c>. Raw SQL: EF Core's model knows neither partitions nor triggers.
    /// </summary>
    public partial class SearchTokenDictionary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "SearchTokens",
                table: "cases",
                type: "text[]",
                nullable: true,
                computedColumnSql: "string_to_array(\"SearchKey\", ' ')",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_cases_search_tokens",
                table: "cases",
                column: "SearchTokens")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:StorageParameter:gin_pending_list_limit", 64);

            // The partitions' bounds in distinct trigrams (a word of n letters has at most n + 1): narrow where the names'
            // words and the shorter whole names lie, so that a word's bounds (SearchTokenDictionary.Bounds) skip the rest.
            int[] bounds = [8, 10, 12, 14, 16, 18, 20, 22, 24, 28, 32];
            migrationBuilder.Sql("""CREATE TABLE search_tokens ("Token" text NOT NULL, "Trigrams" integer NOT NULL) PARTITION BY RANGE ("Trigrams")""");
            var lower = "MINVALUE";
            foreach (var upper in bounds.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("MAXVALUE"))
            {
                migrationBuilder.Sql($"CREATE TABLE search_tokens_{(lower == "MINVALUE" ? "0" : lower)} PARTITION OF search_tokens FOR VALUES FROM ({lower}) TO ({upper})");
                lower = upper;
            }

            migrationBuilder.Sql("""CREATE INDEX ix_search_tokens_trgm ON search_tokens USING gin ("Token" gin_trgm_ops)""");
            migrationBuilder.Sql("""CREATE INDEX ix_search_tokens_token ON search_tokens ("Trigrams", "Token")""");

            // No unique constraint: two transactions that add the same new token at once would then wait on each other (and could
            // deadlock on two such tokens in opposite orders); a token stored twice only costs a row.
            migrationBuilder.Sql("""
                CREATE FUNCTION search_tokens_add() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO search_tokens ("Token", "Trigrams")
                        SELECT t.token, t.trigrams
                        FROM (SELECT d.token, coalesce(array_length(show_trgm(d.token), 1), 0) AS trigrams
                              FROM (SELECT DISTINCT unnest(string_to_array(n."SearchKey", ' ')) AS token FROM new_rows n) d
                              WHERE d.token <> '') t
                        WHERE NOT EXISTS (SELECT 1 FROM search_tokens s WHERE s."Trigrams" = t.trigrams AND s."Token" = t.token);
                    ELSE
                        INSERT INTO search_tokens ("Token", "Trigrams")
                        SELECT t.token, t.trigrams
                        FROM (SELECT d.token, coalesce(array_length(show_trgm(d.token), 1), 0) AS trigrams
                              FROM (SELECT DISTINCT unnest(string_to_array(n."SearchKey", ' ')) AS token
                                    FROM new_rows n JOIN old_rows o ON o."Number" = n."Number"
                                    WHERE n."SearchKey" IS DISTINCT FROM o."SearchKey") d
                              WHERE d.token <> '') t
                        WHERE NOT EXISTS (SELECT 1 FROM search_tokens s WHERE s."Trigrams" = t.trigrams AND s."Token" = t.token);
                    END IF;
                    RETURN NULL;
                END $$
                """);
            migrationBuilder.Sql("""CREATE TRIGGER cases_search_tokens_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_tokens_add()""");
            migrationBuilder.Sql("""CREATE TRIGGER cases_search_tokens_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_tokens_add()""");
            migrationBuilder.Sql("""
                INSERT INTO search_tokens ("Token", "Trigrams")
                SELECT d.token, coalesce(array_length(show_trgm(d.token), 1), 0)
                FROM (SELECT DISTINCT unnest(string_to_array("SearchKey", ' ')) AS token FROM cases) d
                WHERE d.token <> ''
                """);
            migrationBuilder.Sql("ANALYZE search_tokens");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER cases_search_tokens_update ON cases");
            migrationBuilder.Sql("DROP TRIGGER cases_search_tokens_insert ON cases");
            migrationBuilder.Sql("DROP FUNCTION search_tokens_add()");
            migrationBuilder.Sql("DROP TABLE search_tokens");

            migrationBuilder.DropIndex(
                name: "ix_cases_search_tokens",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "SearchTokens",
                table: "cases");
        }
    }
}
