using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ProductCatalog.Data.Migrations
{
    /// <summary>
    /// pg_trgm and a trigram GIN index on products.name, for the search's typo fallback (made with
    /// <c>dotnet ef migrations add</c> from the model). The index is built in the migration's
    /// transaction, which blocks writes to products while it builds (minutes at 10 M products): on a
    /// large live catalog, plan that window or build the index with <c>CREATE INDEX CONCURRENTLY</c> first.
    /// </summary>
    public partial class SearchTrigrams : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:CollationDefinition:catalog_name", "und,und,icu,True")
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,")
                .OldAnnotation("Npgsql:CollationDefinition:catalog_name", "und,und,icu,True");

            migrationBuilder.CreateIndex(
                name: "ix_products_name_trgm",
                table: "products",
                column: "name")
                .Annotation("Npgsql:IndexMethod", "GIN")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_products_name_trgm",
                table: "products");

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:CollationDefinition:catalog_name", "und,und,icu,True")
                .OldAnnotation("Npgsql:CollationDefinition:catalog_name", "und,und,icu,True")
                .OldAnnotation("Npgsql:PostgresExtension:pg_trgm", ",,");
        }
    }
}
