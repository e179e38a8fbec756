using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ProductCatalog.Data.Migrations
{
    /// <summary>
    /// The typo fallback's vocabulary (<see cref="ProductWords"/>), with pg_trgm and fuzzystrmatch:
    /// a query's unknown word is corrected against the distinct words of the names (thousands, not
    /// millions), so no trigram index on every product is needed and imports do not pay for one. Statement triggers with transition tables add a
    /// statement's new words in one set-based <c>INSERT ... ON CONFLICT DO NOTHING</c> (in word
    /// order, so two imports adding the same new words lock them in the same order and cannot
    /// deadlock); an update adds words only for rows whose name changed. The migration fills the
    /// table from the existing names (one pass over products).
    /// </summary>
    public partial class SearchVocabulary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:CollationDefinition:catalog_name", "und,und,icu,True")
                .Annotation("Npgsql:PostgresExtension:fuzzystrmatch", ",,")
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,")
                .OldAnnotation("Npgsql:CollationDefinition:catalog_name", "und,und,icu,True");

            // The letters key is IMMUTABLE (C collation order) so it can be indexed; GiST, not GIN, on
            // the words: the correction asks for the nearest words by trigram distance (KNN), with no
            // threshold that a short word's substitution would miss.
            migrationBuilder.Sql(
                $"""
                CREATE FUNCTION {ProductWords.LettersKey}(word text) RETURNS text
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                AS $$ SELECT string_agg(c, '' ORDER BY c COLLATE "C") FROM regexp_split_to_table(word, '') AS c $$;

                CREATE TABLE {ProductWords.Table} (word text PRIMARY KEY);
                CREATE INDEX ix_product_words_letters ON {ProductWords.Table} ({ProductWords.LettersKey}(word));
                CREATE INDEX ix_product_words_trgm ON {ProductWords.Table} USING gist (word gist_trgm_ops);

                CREATE FUNCTION catalog_collect_product_words() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO {ProductWords.Table} (word)
                        SELECT DISTINCT w FROM new_rows AS n, regexp_split_to_table(lower(n.name), '[^[:alpha:]]+') AS w
                        WHERE length(w) BETWEEN 3 AND 40
                        ORDER BY 1
                        ON CONFLICT DO NOTHING;
                    ELSE
                        INSERT INTO {ProductWords.Table} (word)
                        SELECT DISTINCT w
                        FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id AND o.name IS DISTINCT FROM n.name,
                            regexp_split_to_table(lower(n.name), '[^[:alpha:]]+') AS w
                        WHERE length(w) BETWEEN 3 AND 40
                        ORDER BY 1
                        ON CONFLICT DO NOTHING;
                    END IF;
                    RETURN NULL;
                END
                $$;

                CREATE TRIGGER products_collect_words_insert
                    AFTER INSERT ON products
                    REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION catalog_collect_product_words();
                CREATE TRIGGER products_collect_words_update
                    AFTER UPDATE ON products
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION catalog_collect_product_words();

                INSERT INTO {ProductWords.Table} (word)
                SELECT DISTINCT w FROM products AS p, regexp_split_to_table(lower(p.name), '[^[:alpha:]]+') AS w
                WHERE length(w) BETWEEN 3 AND 40;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                $"""
                DROP TRIGGER IF EXISTS products_collect_words_update ON products;
                DROP TRIGGER IF EXISTS products_collect_words_insert ON products;
                DROP FUNCTION IF EXISTS catalog_collect_product_words();
                DROP TABLE IF EXISTS {ProductWords.Table};
                DROP FUNCTION IF EXISTS {ProductWords.LettersKey}(text);
                """);

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:CollationDefinition:catalog_name", "und,und,icu,True")
                .OldAnnotation("Npgsql:CollationDefinition:catalog_name", "und,und,icu,True")
                .OldAnnotation("Npgsql:PostgresExtension:fuzzystrmatch", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:pg_trgm", ",,");
        }
    }
}
