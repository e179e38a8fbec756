using Npgsql;
using NpgsqlTypes;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The ranked listings: <c>sort=relevance</c> (full text) and the typo fallback (the same, with the
/// query's unknown words corrected against the names' vocabulary), keyset paged on (rank descending, id). Raw SQL because the shape that keeps a common
/// word cheap, a bounded candidate set ranked before the page is cut, is not one EF Core writes.
/// </summary>
/// <remarks>
/// Every page takes at most <see cref="RankedCandidates"/> matches from the GIN index on the search
/// vector and ranks only those, so a
/// word in every product costs what a word in 10 000 does. The price: a listing ranks and returns at most that many products. Up to the
/// bound it is exact; past it, which candidates the scan yields first is the server's choice (stable
/// while the table and the plan are).
/// </remarks>
internal static class ProductSearch
{
    public const int RankedCandidates = 1_000;

    /// <summary>Up to this many matches a sorted full-text page is sorted in memory; past it the sort index is walked.</summary>
    public const int SortedCandidates = 10_000;

    /// <summary>Past <see cref="SortedCandidates"/> matches, this many rows of the sort index are walked for a page before all matches are sorted.</summary>
    public const int WalkedRows = 20_000;

    /// <summary>From this many estimated matches (4 × <see cref="SortedCandidates"/>), a sorted page does not count its matches to the bound first: they would be more.</summary>
    public const int DenseMatches = 4 * SortedCandidates;

    /// <summary>What a similarity page's cursor carries, so later pages stay in fallback mode.</summary>
    public const string SimilarityMode = "similarity";

    /// <summary>Sent (with <see cref="SimilarityMode"/>) on every page of a fallback listing.</summary>
    public const string FallbackHeader = "Search-Fallback";

    private static readonly string s_columns = string.Join(", ", ProductReader.Columns.Split(", ").Select(c => "p." + c));

    private static readonly string s_correctionSql = $"""
        SELECT string_agg(coalesce(f.word, w.word), ' ' ORDER BY w.n), bool_or(f.word IS NOT NULL)
        FROM regexp_split_to_table(lower($1), '[^[:alpha:]]+') WITH ORDINALITY AS w(word, n)
        LEFT JOIN LATERAL (
            SELECT c.word
            FROM (
                SELECT v.word FROM {ProductWords.Table} v WHERE {ProductWords.LettersKey}(v.word) = {ProductWords.LettersKey}(w.word)
                UNION
                (SELECT v.word FROM {ProductWords.Table} v ORDER BY v.word <-> w.word LIMIT 20)
            ) AS c,
            LATERAL (SELECT levenshtein_less_equal(w.word, c.word, 3)
                - CASE WHEN {ProductWords.LettersKey}(c.word) = {ProductWords.LettersKey}(w.word) THEN 1 ELSE 0 END AS edits) AS d
            WHERE length(w.word) >= 3
                AND NOT EXISTS (SELECT FROM {ProductWords.Table} x WHERE x.word = w.word)
                AND d.edits <= CASE WHEN length(w.word) <= 4 THEN 1 ELSE 2 END
            ORDER BY d.edits, abs(length(c.word) - length(w.word)), similarity(w.word, c.word) DESC, c.word
            LIMIT 1
        ) AS f ON TRUE
        WHERE w.word <> ''
        """;

    public static async Task<List<RankedProduct>> RelevanceAsync(ProductReader reader, SearchStatistics statistics, ProductListQuery query, KeysetCursor? after, int take, CancellationToken ct)
    {
        // A common query's candidates come from the table (the first thousand of its matches are a few
        // thousand rows in); a rare one's from the GIN index.
        var filter = ProductSqlFilter.From(query, await EstimateAsync(statistics, query, ct));
        // 32: rank / (rank + 1), so ranks stay in (0, 1) whatever the document's length.
        return await PageAsync(reader, filter, $"ts_rank_cd(search_vector, {filter.TsQuery}, 32)", after, take, ct);
    }

    /// <summary>How many products <paramref name="query"/>'s text is estimated to match (<see cref="SearchStatistics"/>); nothing is known without text.</summary>
    public static async ValueTask<SearchEstimate> EstimateAsync(SearchStatistics statistics, ProductListQuery query, CancellationToken ct) =>
        query.Q is null ? default : await statistics.EstimateAsync(SearchTerms.Parse(query.Q), ct);

    /// <summary>
    /// The did-you-mean listing: <paramref name="query"/>'s words corrected against the names'
    /// vocabulary (<see cref="CorrectAsync"/>), then ranked full text as <c>sort=relevance</c> is.
    /// Empty when no word could be corrected (the uncorrected search already matched nothing).
    /// </summary>
    public static async Task<List<RankedProduct>> SimilarAsync(ProductReader reader, SearchStatistics statistics, ProductListQuery query, KeysetCursor? after, int take, CancellationToken ct)
    {
        var corrected = await reader.ReadAsync((dataSource, ct) => CorrectAsync(dataSource, query.Q!, ct), ct);
        return string.IsNullOrWhiteSpace(corrected)
            ? []
            : await RelevanceAsync(reader, statistics, query with { Q = corrected }, after, take, ct);
    }

    /// <summary>
    /// Each letters-only word of <paramref name="q"/> (3 letters or more) that no product name has
    /// is replaced by its nearest vocabulary word, within one edit for words of up to 4 letters and two
    /// for longer ones, a transposition counting as one; null when nothing changed. Candidates come
    /// from two index lookups per word, never a scan: the same sorted letters (transpositions, which
    /// share almost no trigrams: tnet and tent share 1 of 9) and the 20 nearest by trigram distance
    /// (GiST KNN: missing, extra and wrong letters). Ties prefer the same length, then trigram similarity.
    /// </summary>
    internal static async Task<string?> CorrectAsync(NpgsqlDataSource dataSource, string q, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(s_correctionSql);
        command.Parameters.Add(new NpgsqlParameter { Value = q, NpgsqlDbType = NpgsqlDbType.Text });
        await using var rows = await command.ExecuteReaderAsync(ct);
        return await rows.ReadAsync(ct) && !rows.IsDBNull(0) && rows.GetBoolean(1) ? rows.GetString(0) : null;
    }

    /// <summary>
    /// A full-text listing in a sort order (name, price, createdAt, either way), robust to the
    /// planner's estimate. A common query (<see cref="SearchStatistics"/>: 2 % of the products or
    /// more) walks the sort index at once, its matches being dense in any order. Any other takes at
    /// most <see cref="SortedCandidates"/> + 1 matches from the GIN index; when that is all of them,
    /// the page is sorted from those in memory. When there are more, up to <see cref="WalkedRows"/>
    /// rows of the sort index are walked, and only if they hold no full page are all matches sorted.
    /// A query estimated at <see cref="DenseMatches"/> or more skips the first step, which would
    /// only count to the bound. Every branch returns the same rows in the same (key, id) order, so
    /// the cursor and its seek are the EF Core listing's exactly.
    /// </summary>
    /// <remarks>
    /// Why the walk is bounded: two common words whose combination is rarer (5 848 of 1 M products)
    /// can cluster in the sort order, since names begin with their words, and an unbounded walk of
    /// the name index for them read 152 000 rows (0.5-0.9 s at 1 M, seconds at 10 M).
    /// </remarks>
    public static async Task<List<ProductResponse>> SortedAsync(ProductReader reader, SearchStatistics statistics, ProductListQuery query, KeysetCursor? after, int take, CancellationToken ct)
    {
        var estimate = await EstimateAsync(statistics, query, ct);
        var filter = ProductSqlFilter.From(query, estimate);
        var (column, last) = query.Sort.Field switch
        {
            "name" => ("name", after is null ? null : filter.Add(after.LastName!, NpgsqlDbType.Text)),
            "price" => ("price", after is null ? null : filter.Add(after.LastPrice!.Value, NpgsqlDbType.Numeric)),
            _ => ("created_at", after is null ? null : filter.Add(new DateTimeOffset(after.LastCreatedTicks ?? 0, TimeSpan.Zero), NpgsqlDbType.TimestampTz)),
        };
        var (direction, compare) = query.Sort.Descending ? ("DESC", "<") : ("ASC", ">");
        string Seek(string key, string id) =>
            after is null ? "" : $"AND ({key}, {id}) {compare} ({last}, {filter.Add(after.LastId, NpgsqlDbType.Uuid)})";
        var limit = filter.Add(take, NpgsqlDbType.Integer);
        // Counting to the bound costs a GIN read of every match (0.5 s for 58 440 of 10 M): not done when it would only say "more".
        var counted = estimate.Matches < DenseMatches;
        var many = counted ? $"(SELECT count(*) FROM m) > {SortedCandidates}" : "TRUE";
        var sortedCounted = counted
            ? $"(SELECT m.id, m.k FROM m WHERE NOT {many} {Seek("m.k", "m.id")} ORDER BY m.k {direction}, m.id {direction} LIMIT {limit}) UNION ALL"
            : "";
        // A common query walks the sort index straight away, never reading its matches out of the GIN index first.
        var sql = estimate.IsCommon
            ? $"""
            SELECT {s_columns} FROM {CatalogTables.Products} p WHERE {filter.Where} {Seek($"p.{column}", "p.id")}
            ORDER BY p.{column} {direction}, p.id {direction} LIMIT {limit}
            """
            : $"""
            WITH {(counted ? $"m AS MATERIALIZED (SELECT id, {column} AS k FROM {CatalogTables.Products} WHERE {filter.Where} LIMIT {SortedCandidates + 1})," : "")}
            w AS MATERIALIZED (
                SELECT s.id, s.k FROM (
                    SELECT *, {column} AS k FROM {CatalogTables.Products} WHERE {many} {Seek(column, "id")}
                    ORDER BY {column} {direction}, id {direction} LIMIT {WalkedRows}
                ) AS s WHERE {filter.Where} LIMIT {limit}
            ), page AS (
                {sortedCounted}
                (SELECT w.id, w.k FROM w WHERE (SELECT count(*) FROM w) = {limit})
                UNION ALL
                (SELECT x.id, x.k FROM (
                    SELECT id, {column} AS k FROM {CatalogTables.Products}
                    WHERE {many} AND (SELECT count(*) FROM w) < {limit} AND {filter.Where} OFFSET 0
                ) AS x WHERE TRUE {Seek("x.k", "x.id")} ORDER BY x.k {direction}, x.id {direction} LIMIT {limit})
            )
            SELECT {s_columns} FROM page JOIN {CatalogTables.Products} p ON p.id = page.id ORDER BY page.k {direction}, page.id {direction}
            """;
        return await reader.ReadAsync(
            async (dataSource, ct) =>
            {
                var page = new List<ProductResponse>(take);
                await filter.ReadAsync(dataSource, sql, rows => page.Add(ProductReader.Read(rows)), ct);
                return page;
            },
            ct);
    }

    private static Task<List<RankedProduct>> PageAsync(
        ProductReader reader, ProductSqlFilter filter, string rank, KeysetCursor? after, int take, CancellationToken ct)
    {
        var seek = after is null
            ? ""
            : $"WHERE (-c.rank, c.id) > ({filter.Add(-(after.LastRank ?? 0f), NpgsqlDbType.Real)}, {filter.Add(after.LastId, NpgsqlDbType.Uuid)})";
        // The page is cut from the candidates by id and rank alone; only its rows are read in full.
        var sql = $"""
            WITH c AS (
                SELECT id, ({rank})::real AS rank FROM {CatalogTables.Products} WHERE {filter.Where} LIMIT {RankedCandidates}
            ), page AS (
                SELECT c.id, c.rank FROM c {seek} ORDER BY c.rank DESC, c.id LIMIT {filter.Add(take, NpgsqlDbType.Integer)}
            )
            SELECT {s_columns}, page.rank FROM page JOIN {CatalogTables.Products} p ON p.id = page.id ORDER BY page.rank DESC, page.id
            """;
        return reader.ReadAsync(
            async (dataSource, ct) =>
            {
                var page = new List<RankedProduct>(take);
                await filter.ReadAsync(dataSource, sql, rows => page.Add(new RankedProduct(ProductReader.Read(rows), rows.GetFloat(13))), ct);
                return page;
            },
            ct);
    }
}

internal sealed record RankedProduct(ProductResponse Product, float Rank);
