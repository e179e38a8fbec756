using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ProductCatalog.Api.Products;

/// <summary>
/// Counts for a filter sidebar: categories, tags, the price range and stock of the products the
/// listing's filters match. The cost is bounded by <see cref="ExactBound"/>, not by the catalog's size.
/// </summary>
/// <remarks>
/// One statement reads at most <see cref="ExactBound"/> + 1 matching rows (four narrow columns) and
/// aggregates them. Up to the bound every count is exact. Past it the answer is
/// <c>approximate</c>: <c>total</c> is the planner's row estimate for the filters (one EXPLAIN, no
/// execution; when every word of the text is a common lexeme, their share from
/// <see cref="SearchStatistics"/> times the estimate for the other filters), and the other counts are
/// the read rows' counts scaled to it. Those rows are the first
/// the scan yields, not a random sample, so a catalog loaded in category order skews the estimate.
/// Not cached: every write changes some count, and bounded the query costs about what a cache miss
/// and its invalidation traffic would.
/// </remarks>
internal static class GetProductFacets
{
    public const int ExactBound = 1_000;

    /// <summary>The most frequent categories and tags, each; a sidebar shows a handful.</summary>
    public const int MaxBuckets = 100;

    private const int Summary = 0, CategoryRow = 1, TagRow = 2;

    public static async Task<Results<Ok<ProductFacets>, ValidationProblem>> Handle(
        [AsParameters] ProductFilterRequest parameters, ProductReader reader, SearchStatistics statistics, CancellationToken ct)
    {
        var query = ProductListQuery.From(parameters);
        var text = await ProductSearch.EstimateAsync(statistics, query, ct);
        var share = text.Share;
        var filter = ProductSqlFilter.From(query, text);
        var counted = await reader.ReadAsync((dataSource, ct) => CountAsync(dataSource, filter, ct), ct);
        if (counted.Total <= ExactBound)
        {
            return TypedResults.Ok(counted);
        }

        // A known text share times the planner's estimate for the other filters: the planner itself
        // puts any prefix (every one-word search) at a flat 2 % (20 000 for a word in 132 000 of 1 M).
        var estimated = share is null ? filter : ProductSqlFilter.From(query with { Q = null });
        var estimate = await reader.ReadAsync((dataSource, ct) => EstimateAsync(dataSource, estimated, ct), ct);
        return TypedResults.Ok(Estimated(counted, share is { } s ? (long)Math.Round(s * estimate) : estimate));
    }

    /// <summary>The counts of the first rows, scaled to the planner's estimate of all matches (never below what was counted).</summary>
    internal static ProductFacets Estimated(ProductFacets counted, long estimate)
    {
        var total = Math.Max(estimate, counted.Total);
        var scale = (double)total / counted.Total;
        long Scale(long n) => (long)Math.Round(n * scale);
        return counted with
        {
            Total = total,
            Categories = [.. counted.Categories.Select(c => c with { Count = Scale(c.Count) })],
            Tags = [.. counted.Tags.Select(t => t with { Count = Scale(t.Count) })],
            InStock = new StockFacet(Scale(counted.InStock.InStock), total - Scale(counted.InStock.InStock)),
            Approximate = true,
        };
    }

    private static async Task<ProductFacets> CountAsync(NpgsqlDataSource dataSource, ProductSqlFilter filter, CancellationToken ct)
    {
        // MATERIALIZED: the three aggregates read the bounded rows once, not the table three times.
        var sql = $"""
            WITH m AS MATERIALIZED (
                SELECT category_id, tags, price, stock_quantity FROM {CatalogTables.Products} WHERE {filter.Where} LIMIT {ExactBound + 1}
            )
            SELECT {Summary}, NULL::int, NULL::text, count(*), count(*) FILTER (WHERE stock_quantity > 0), min(price), max(price) FROM m
            UNION ALL
            (SELECT {CategoryRow}, m.category_id, c.name, count(*), NULL::bigint, NULL::numeric, NULL::numeric
                FROM m JOIN {CatalogTables.Categories} c ON c.id = m.category_id
                GROUP BY m.category_id, c.name ORDER BY count(*) DESC, m.category_id LIMIT {MaxBuckets})
            UNION ALL
            (SELECT {TagRow}, NULL::int, t.tag, count(*), NULL::bigint, NULL::numeric, NULL::numeric
                FROM m CROSS JOIN LATERAL unnest(m.tags) AS t(tag)
                GROUP BY t.tag ORDER BY count(*) DESC, t.tag LIMIT {MaxBuckets})
            """;
        long total = 0, inStock = 0;
        decimal? min = null, max = null;
        List<CategoryFacet> categories = [];
        List<TagFacet> tags = [];
        await filter.ReadAsync(
            dataSource,
            sql,
            rows =>
            {
                switch (rows.GetInt32(0))
                {
                    case Summary:
                        total = rows.GetInt64(3);
                        inStock = rows.GetInt64(4);
                        min = rows.IsDBNull(5) ? null : rows.GetDecimal(5);
                        max = rows.IsDBNull(6) ? null : rows.GetDecimal(6);
                        break;
                    case CategoryRow:
                        categories.Add(new CategoryFacet(rows.GetInt32(1), rows.GetString(2), rows.GetInt64(3)));
                        break;
                    default:
                        tags.Add(new TagFacet(rows.GetString(2), rows.GetInt64(3)));
                        break;
                }
            },
            ct);

        return new ProductFacets(total, categories, tags, new PriceRange(min, max), new StockFacet(inStock, total - inStock), Approximate: false);
    }

    internal static async Task<long> EstimateAsync(NpgsqlDataSource dataSource, ProductSqlFilter filter, CancellationToken ct)
    {
        await using var command = filter.CreateCommand(dataSource, $"EXPLAIN (FORMAT JSON) SELECT 1 FROM {CatalogTables.Products} WHERE {filter.Where}");
        using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync(ct))!);
        return (long)plan.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
    }
}
