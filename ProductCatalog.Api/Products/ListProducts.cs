using System.Text.Json;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Products;

/// <summary>
/// Keyset (seek) pagination: every page is an index range scan that starts after the previous
/// page's last (sort key, id), so page 10 000 costs what page 1 costs, and rows inserted or
/// deleted meanwhile never shift what the next page returns.
/// </summary>
internal static class ListProducts
{
    // The query string was validated as text before binding (ProductListQuery.Validate).
    public static async Task<Results<JsonBytes<ProductPage>, ValidationProblem>> Handle(
        [AsParameters] ProductListRequest parameters, HttpRequest request, ProductReader reader, SearchStatistics statistics, CatalogDbContext db, CursorCodec cursors, CancellationToken ct)
    {
        var query = ProductListQuery.From(parameters);
        var fingerprint = query.Fingerprint();
        KeysetCursor? after = null;
        if (query.Cursor is not null)
        {
            after = cursors.Decode(query.Cursor);
            if (after is null)
            {
                return CatalogProblems.Validation("cursor", "Not a cursor issued by this service (it is malformed or was altered).");
            }

            if (after.Sort != query.Sort.Text || after.Filter != fingerprint)
            {
                return CatalogProblems.Validation("cursor", "This cursor belongs to a listing with other filters or another sort; repeat them exactly, or drop the cursor.");
            }
        }

        List<ProductResponse> rows;
        List<float>? ranks = null;
        var similarity = after?.Mode == ProductSearch.SimilarityMode;
        if (similarity || query.Sort == ProductSort.Relevance)
        {
            (rows, ranks) = Split(similarity
                ? await ProductSearch.SimilarAsync(reader, statistics, query, after, query.Limit + 1, ct)
                : await ProductSearch.RelevanceAsync(reader, statistics, query, after, query.Limit + 1, ct));
        }
        else
        {
            rows = IsUnfiltered(query) && query.Sort == ProductSort.Name
                ? await reader.PageByNameAsync(after?.LastName, after?.LastId ?? Guid.Empty, query.Limit + 1, ct)
                : query.Q is not null
                ? await ProductSearch.SortedAsync(reader, statistics, query, after, query.Limit + 1, ct)
                : await Seek(Filter(db.Products.AsNoTracking(), query), query.Sort, after)
                    .Take(query.Limit + 1)
                    .Select(ProductQueries.ToResponse)
                    .ToListAsync(ct);
        }

        // A search that matches nothing (judged on its first page only: later pages of a full-text
        // listing may be empty legitimately) becomes a did-you-mean listing of similar names.
        if (rows.Count == 0 && after is null && query.Q is not null)
        {
            (rows, ranks) = Split(await ProductSearch.SimilarAsync(reader, statistics, query, null, query.Limit + 1, ct));
            similarity = true;
        }

        if (similarity)
        {
            request.HttpContext.Response.Headers[ProductSearch.FallbackHeader] = ProductSearch.SimilarityMode;
        }

        string? next = null;
        if (rows.Count > query.Limit)
        {
            rows.RemoveAt(rows.Count - 1);
            var cursor = ranks is null
                ? CursorAfter(rows[^1], query.Sort, fingerprint)
                : new KeysetCursor(query.Sort.Text, fingerprint, rows[^1].Id, LastRank: ranks[rows.Count - 1], Mode: similarity ? ProductSearch.SimilarityMode : null);
            next = cursors.Encode(cursor);
            request.HttpContext.Response.Headers.Link = $"<{NextPageUrl(request, next)}>; rel=\"next\"";
        }

        // Serialized to bytes first: streamed, a page (over 4 KB) would leave the source generator's
        // fast path for the slower metadata-driven writer (half the page's JSON cost, profiled).
        return new JsonBytes<ProductPage>(JsonSerializer.SerializeToUtf8Bytes(new ProductPage(rows, next), CatalogJsonContext.Default.ProductPage));
    }

    private static (List<ProductResponse> Rows, List<float> Ranks) Split(List<RankedProduct> ranked) =>
        ([.. ranked.Select(r => r.Product)], [.. ranked.Select(r => r.Rank)]);

    private static bool IsUnfiltered(ProductListQuery q) =>
        q is { Q: null, CategoryId: null, Tag: null, MinPrice: null, MaxPrice: null, IsActive: null, InStock: null };

    // q is never here: a full-text listing is ProductSearch's (sorted or ranked).
    private static IQueryable<Product> Filter(IQueryable<Product> products, ProductListQuery q)
    {
        if (q.CategoryId is { } categoryId)
        {
            products = products.Where(p => p.CategoryId == categoryId);
        }

        if (q.Tag is { } tag)
        {
            products = products.Where(p => p.Tags.Contains(tag));
        }

        if (q.MinPrice is { } min)
        {
            products = products.Where(p => p.Price >= min);
        }

        if (q.MaxPrice is { } max)
        {
            products = products.Where(p => p.Price <= max);
        }

        if (q.IsActive is { } active)
        {
            products = products.Where(p => p.IsActive == active);
        }

        if (q.InStock is { } inStock)
        {
            products = inStock ? products.Where(p => p.StockQuantity > 0) : products.Where(p => p.StockQuantity == 0);
        }

        return products;
    }

    private static IQueryable<Product> Seek(IQueryable<Product> products, ProductSort sort, KeysetCursor? after)
    {
        // Row-value comparisons, (key, id) > (@key, @id), match the (key, id) indexes exactly.
        var id = after?.LastId ?? Guid.Empty;
        return (sort.Field, sort.Descending) switch
        {
            ("name", false) => (after is null ? products : products.Where(p => EF.Functions.GreaterThan(ValueTuple.Create(p.Name, p.Id), ValueTuple.Create(after.LastName!, id))))
                .OrderBy(p => p.Name).ThenBy(p => p.Id),
            ("name", true) => (after is null ? products : products.Where(p => EF.Functions.LessThan(ValueTuple.Create(p.Name, p.Id), ValueTuple.Create(after.LastName!, id))))
                .OrderByDescending(p => p.Name).ThenByDescending(p => p.Id),
            ("price", false) => (after is null ? products : products.Where(p => EF.Functions.GreaterThan(ValueTuple.Create(p.Price, p.Id), ValueTuple.Create(after.LastPrice!.Value, id))))
                .OrderBy(p => p.Price).ThenBy(p => p.Id),
            ("price", true) => (after is null ? products : products.Where(p => EF.Functions.LessThan(ValueTuple.Create(p.Price, p.Id), ValueTuple.Create(after.LastPrice!.Value, id))))
                .OrderByDescending(p => p.Price).ThenByDescending(p => p.Id),
            (_, false) => (after is null ? products : products.Where(p => EF.Functions.GreaterThan(ValueTuple.Create(p.CreatedAt, p.Id), ValueTuple.Create(CreatedAt(after), id))))
                .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id),
            (_, true) => (after is null ? products : products.Where(p => EF.Functions.LessThan(ValueTuple.Create(p.CreatedAt, p.Id), ValueTuple.Create(CreatedAt(after), id))))
                .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id),
        };
    }

    private static DateTimeOffset CreatedAt(KeysetCursor cursor) => new(cursor.LastCreatedTicks ?? 0, TimeSpan.Zero);

    internal static KeysetCursor CursorAfter(ProductResponse last, ProductSort sort, string fingerprint) => sort.Field switch
    {
        "name" => new KeysetCursor(sort.Text, fingerprint, last.Id, LastName: last.Name),
        "price" => new KeysetCursor(sort.Text, fingerprint, last.Id, LastPrice: last.Price),
        _ => new KeysetCursor(sort.Text, fingerprint, last.Id, LastCreatedTicks: last.CreatedAt.UtcTicks),
    };

    private static string NextPageUrl(HttpRequest request, string cursor)
    {
        var query = QueryString.Create(request.Query
            .Where(p => p.Key != "cursor")
            .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString()))
            .Append(KeyValuePair.Create("cursor", (string?)cursor)));
        return UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, query);
    }
}
