using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ProductCatalog.Data.Migrations
{
    /// <summary>
    /// The search vector's statistics target back to the default (100), undoing
    /// <see cref="SearchVectorStatistics"/>. At 10 000 the most-common-lexeme list (65 580 lexemes at
    /// 1 M products) is detoasted for every estimate and walked whole for a prefix, and every one-word
    /// search is a prefix: 10.8-12.1 ms of planning for 0.7-1.0 ms of execution (docs/performance.md).
    /// A rare word's estimate, which the larger target was for, no longer decides a plan: a sorted
    /// search reads its GIN matches up to a bound before it walks a sort index, and the list the default
    /// keeps (every lexeme in more than about 0.5 % of the sample) is what tells a common query apart.
    /// </summary>
    public partial class SearchVectorDefaultStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE products ALTER COLUMN search_vector SET STATISTICS -1; ANALYZE products (search_vector);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"ALTER TABLE products ALTER COLUMN search_vector SET STATISTICS {SearchVectorStatistics.StatisticsTarget}; ANALYZE products (search_vector);");
        }
    }
}
