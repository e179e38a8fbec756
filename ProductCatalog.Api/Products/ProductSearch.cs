using NpgsqlTypes;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The ranked listings: <c>sort=relevance</c> (full text) and the similarity fallback (trigrams on
/// the name), keyset paged on (rank descending, id). Raw SQL because the shape that keeps a common
/// word cheap, a bounded candidate set ranked before the page is cut, is not one EF Core writes.
/// </summary>
/// <remarks>
/// Every page takes at most <see cref="RankedCandidates"/> matches from the GIN index on the search
/// vector (<see cref="SimilarCandidates"/> from the trigram GIN on name) and ranks only those, so a
/// word in every product costs what a word in 10 000 does. The price: a listing ranks and returns at most that many products. Up to the
/// bound it is exact; past it, which candidates the scan yields first is the server's choice (stable
/// while the table and the plan are). The fallback's threshold is the server's
/// <c>pg_trgm.word_similarity_threshold</c> (0.6 by default), so its operator can use the index.
/// </remarks>
internal static class ProductSearch
{
    public const int RankedCandidates = 10_000;

    /// <summary>
    /// Smaller: a did-you-mean list needs its first few pages, and word_similarity (with the trigram
    /// index's recheck) costs several times a stored vector's rank per row.
    /// </summary>
    public const int SimilarCandidates = 1_000;

    /// <summary>What a similarity page's cursor carries, so later pages stay in fallback mode.</summary>
    public const string SimilarityMode = "similarity";

    /// <summary>Sent (with <see cref="SimilarityMode"/>) on every page of a fallback listing.</summary>
    public const string FallbackHeader = "Search-Fallback";

    private static readonly string s_columns = string.Join(", ", ProductReader.Columns.Split(", ").Select(c => "p." + c));

    public static Task<List<RankedProduct>> RelevanceAsync(ProductReader reader, ProductListQuery query, KeysetCursor? after, int take, CancellationToken ct)
    {
        var filter = ProductSqlFilter.From(query);
        // 32: rank / (rank + 1), so ranks stay in (0, 1) whatever the document's length.
        return PageAsync(reader, filter, $"ts_rank_cd(search_vector, {filter.TsQuery}, 32)", RankedCandidates, after, take, ct);
    }

    public static Task<List<RankedProduct>> SimilarAsync(ProductReader reader, ProductListQuery query, KeysetCursor? after, int take, CancellationToken ct)
    {
        var filter = ProductSqlFilter.From(query, fullText: false);
        var q = filter.Add(query.Q!, NpgsqlDbType.Text);
        // q <% name is the indexable form (name on the right); word_similarity finds q in a longer name.
        return PageAsync(reader, filter, $"word_similarity({q}, name)", SimilarCandidates, after, take, ct, $"{q} <% name");
    }

    private static Task<List<RankedProduct>> PageAsync(
        ProductReader reader, ProductSqlFilter filter, string rank, int candidates, KeysetCursor? after, int take, CancellationToken ct, string? match = null)
    {
        var seek = after is null
            ? ""
            : $"WHERE (-c.rank, c.id) > ({filter.Add(-(after.LastRank ?? 0f), NpgsqlDbType.Real)}, {filter.Add(after.LastId, NpgsqlDbType.Uuid)})";
        var where = match is null ? filter.Where : $"{match} AND {filter.Where}";
        // The page is cut from the candidates by id and rank alone; only its rows are read in full.
        var sql = $"""
            WITH c AS (
                SELECT id, ({rank})::real AS rank FROM {CatalogTables.Products} WHERE {where} LIMIT {candidates}
            ), page AS (
                SELECT c.id, c.rank FROM c {seek} ORDER BY c.rank DESC, c.id LIMIT {filter.Add(take, NpgsqlDbType.Integer)}
            )
            SELECT {s_columns}, page.rank FROM page JOIN {CatalogTables.Products} p ON p.id = page.id ORDER BY page.rank DESC, page.id
            """;
        return reader.ReadAsync(
            async (dataSource, ct) =>
            {
                await using var command = filter.CreateCommand(dataSource, sql);
                await using var rows = await command.ExecuteReaderAsync(ct);
                var page = new List<RankedProduct>(take);
                while (await rows.ReadAsync(ct))
                {
                    page.Add(new RankedProduct(ProductReader.Read(rows), rows.GetFloat(13)));
                }

                return page;
            },
            ct);
    }
}

internal sealed record RankedProduct(ProductResponse Product, float Rank);
