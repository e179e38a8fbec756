using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace ProductCatalog.Tests.Integration.Api;

/// <summary>
/// Relevance, prefix, the similarity fallback and facets. Each test seeds a category of its own and
/// words no other test uses, and filters by that category, so other tests' products never count.
/// </summary>
public sealed class SearchTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateApiClient();

    /// <summary>A word the English parser keeps as one token and no other product holds.</summary>
    private static string UniqueWord() => $"zq{Guid.NewGuid():N}"[..12];

    private async Task<int> SeedAsync(params JsonObject[] products)
    {
        var categoryId = await _client.CreateCategoryAsync();
        var prefix = UniqueSku("srch");
        var items = new JsonArray(products.Select((p, i) =>
        {
            p["sku"] = $"{prefix}-{i:D3}";
            p["categoryId"] = categoryId;
            p["price"] ??= 10m;
            return (JsonNode)p;
        }).ToArray());
        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return categoryId;
    }

    /// <summary>Every page of a listing, with the Search-Fallback header of each page.</summary>
    private async Task<(List<JsonElement> Products, List<string?> Fallback)> WalkAsync(string query)
    {
        var products = new List<JsonElement>();
        var fallback = new List<string?>();
        string? cursor = null;
        do
        {
            using var response = await _client.GetAsync($"/api/v1/products?{query}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            var page = await response.BodyAsync();
            products.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            fallback.Add(response.Headers.TryGetValues("Search-Fallback", out var values) ? values.Single() : null);
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return (products, fallback);
    }

    private static List<string> Names(List<JsonElement> products) => [.. products.Select(p => p.GetProperty("name").GetString()!)];

    [Fact]
    public async Task Relevance_puts_the_best_match_first_breaks_ties_by_id_and_pages_each_once()
    {
        var word = UniqueWord();
        var categoryId = await SeedAsync(
            [
                new JsonObject { ["name"] = $"once {word}" },
                new JsonObject { ["name"] = $"thrice {word} {word}", ["description"] = $"{word} again" },
                new JsonObject { ["name"] = "unrelated lantern" },
                new JsonObject { ["name"] = $"twice {word}", ["description"] = $"about {word}" },
                .. Enumerable.Range(0, 4).Select(i => new JsonObject { ["name"] = $"tie {i} {word}" }),
            ]);

        var (walked, fallback) = await WalkAsync($"q={word}&categoryId={categoryId}&sort=relevance&limit=2");

        Assert.Equal(7, walked.Count);
        Assert.All(fallback, Assert.Null);
        var names = Names(walked);
        Assert.StartsWith("thrice", names[0]);
        Assert.StartsWith("twice", names[1]);
        // The five single mentions rank alike, so id decides (uuid order is the hex text's order).
        var singles = walked.Skip(2).Select(p => p.GetProperty("id").GetString()!).ToList();
        Assert.Equal(singles.Order(StringComparer.Ordinal), singles);
        Assert.Equal(7, walked.Select(p => p.GetProperty("id").GetGuid()).Distinct().Count());
    }

    [Fact]
    public async Task The_last_word_matches_as_a_prefix()
    {
        var categoryId = await SeedAsync(new JsonObject { ["name"] = "Tent pegs" }, new JsonObject { ["name"] = "Tent poles" }, new JsonObject { ["name"] = "Pegboard" });

        Assert.Equal(["Tent pegs"], Names((await WalkAsync($"q={Uri.EscapeDataString("tent pe")}&categoryId={categoryId}")).Products));
        Assert.Equal(["Pegboard", "Tent pegs"], Names((await WalkAsync($"q=peg&categoryId={categoryId}")).Products));
        Assert.Equal(["Tent pegs"], Names((await WalkAsync($"q={Uri.EscapeDataString("tent pe")}&categoryId={categoryId}&sort=relevance")).Products));
    }

    [Fact]
    public async Task A_typo_falls_back_to_similar_names_on_every_page_and_says_so()
    {
        var categoryId = await SeedAsync(
            new JsonObject { ["name"] = "Down sleeping bag" },
            new JsonObject { ["name"] = "Sleeping bag liner" },
            new JsonObject { ["name"] = "Sleeping pad" },
            new JsonObject { ["name"] = "Camping stove" });

        var (found, fallback) = await WalkAsync($"q=sleping&categoryId={categoryId}&limit=2");

        Assert.Equal(["Down sleeping bag", "Sleeping bag liner", "Sleeping pad"], Names(found).Order(StringComparer.Ordinal));
        Assert.Equal(2, fallback.Count);
        Assert.All(fallback, f => Assert.Equal("similarity", f));

        // A search that matches is not a fallback.
        var (exact, exactFallback) = await WalkAsync($"q=sleeping&categoryId={categoryId}");
        Assert.Equal(3, exact.Count);
        Assert.Equal([null], exactFallback);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("-name")]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("-createdAt")]
    public async Task A_sorted_search_pages_every_match_once_in_order(string sort)
    {
        var word = UniqueWord();
        var categoryId = await SeedAsync(
            new JsonObject { ["name"] = $"Delta {word}", ["price"] = 4m },
            new JsonObject { ["name"] = $"Alpha {word}", ["price"] = 9m },
            new JsonObject { ["name"] = $"Echo {word}", ["price"] = 1m },
            new JsonObject { ["name"] = $"Bravo {word}", ["price"] = 4m },
            new JsonObject { ["name"] = "Charlie other", ["price"] = 2m });

        var (walked, fallback) = await WalkAsync($"q={word}&categoryId={categoryId}&sort={sort}&limit=2");

        var ids = walked.Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.All(fallback, f => Assert.Null(f));
        var expected = sort.TrimStart('-') switch
        {
            "name" => walked.OrderBy(p => p.GetProperty("name").GetString(), StringComparer.Ordinal).ToList(),
            "price" => walked.OrderBy(p => p.GetProperty("price").GetDecimal()).ThenBy(p => p.GetProperty("id").GetString(), StringComparer.Ordinal).ToList(),
            _ => walked.OrderBy(p => p.GetProperty("createdAt").GetDateTimeOffset()).ThenBy(p => p.GetProperty("id").GetString(), StringComparer.Ordinal).ToList(),
        };
        if (sort.StartsWith('-'))
        {
            expected.Reverse();
        }

        Assert.Equal(Names(expected), Names(walked));
    }

    [Fact]
    public async Task A_transposed_word_is_corrected_to_a_word_of_the_names()
    {
        var categoryId = await SeedAsync(
            new JsonObject { ["name"] = "Two-person Tent XL" },
            new JsonObject { ["name"] = "Fishing net" },
            new JsonObject { ["name"] = "Camping stove" });

        // A transposition shares almost no trigrams (tnet and tent: 1 of 9); the letters key finds it,
        // and the same length wins over "net" (one deletion away).
        var (found, fallback) = await WalkAsync($"q=tnet&categoryId={categoryId}");

        Assert.Equal(["Two-person Tent XL"], Names(found));
        Assert.Equal(["similarity"], fallback);
    }

    [Fact]
    public async Task Facets_count_a_known_set_exactly()
    {
        var word = UniqueWord();
        var (red, blue) = ($"{word}-red", $"{word}-blue");
        JsonObject Item(decimal price, int stock, params string[] tags) =>
            new() { ["name"] = $"facet {word}", ["price"] = price, ["stockQuantity"] = stock, ["tags"] = new JsonArray(tags.Select(t => (JsonNode)t).ToArray()) };
        var categoryId = await SeedAsync(Item(5m, 0, red), Item(7.5m, 3, red, blue), Item(12m, 1, red), Item(20m, 0), Item(99.99m, 2, blue));
        using var categoryResponse = await _client.GetAsync($"/api/v1/categories/{categoryId}", Ct);
        var categoryName = (await categoryResponse.BodyAsync()).GetProperty("name").GetString();

        using var response = await _client.GetAsync($"/api/v1/products/facets?categoryId={categoryId}", Ct);
        var facets = await response.BodyAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, facets.GetProperty("total").GetInt64());
        Assert.False(facets.GetProperty("approximate").GetBoolean());
        var category = Assert.Single(facets.GetProperty("categories").EnumerateArray());
        Assert.Equal((categoryId, categoryName, 5L), (category.GetProperty("id").GetInt32(), category.GetProperty("name").GetString(), category.GetProperty("count").GetInt64()));
        Assert.Equal(
            [(red, 3L), (blue, 2L)],
            facets.GetProperty("tags").EnumerateArray().Select(t => (t.GetProperty("tag").GetString()!, t.GetProperty("count").GetInt64())));
        Assert.Equal((5m, 99.99m), (facets.GetProperty("price").GetProperty("min").GetDecimal(), facets.GetProperty("price").GetProperty("max").GetDecimal()));
        Assert.Equal((3L, 2L), (facets.GetProperty("inStock").GetProperty("true").GetInt64(), facets.GetProperty("inStock").GetProperty("false").GetInt64()));

        // The listing's filters narrow the facets alike: a tag (across categories) and a price.
        using var narrowed = await _client.GetAsync($"/api/v1/products/facets?tag={blue}&maxPrice=50", Ct);
        var blueFacets = await narrowed.BodyAsync();
        Assert.Equal(1, blueFacets.GetProperty("total").GetInt64());
        Assert.Equal(7.5m, blueFacets.GetProperty("price").GetProperty("max").GetDecimal());
    }

    [Theory]
    [InlineData("name")]
    [InlineData("-price")]
    [InlineData("createdAt")]
    [InlineData("relevance")]
    public async Task A_common_query_pages_through_the_same_products_as_a_rare_one(string sort)
    {
        // The plan follows the lexeme statistics (a common query walks, a rare one reads the GIN index);
        // the rows must not. Both plans are forced here with assumed statistics, on the same data.
        var word = UniqueWord();
        var categoryId = await SeedAsync([.. Enumerable.Range(0, 30).Select(i => new JsonObject
        {
            ["name"] = $"{(char)('a' + (i * 7 % 26))}{i} {word}" + (i % 3 == 0 ? $" {word}" : ""),
            ["price"] = 1m + (i * 7 % 10),
        })]);
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(await fixture.GetDatabaseConnectionStringAsync());
        var reader = new ProductReader(dataSource, TimeProvider.System, NullLogger<ProductReader>.Instance);
        Assert.True(ProductSort.TryParse(sort, out var order));
        var query = ProductListQuery.From(new ProductListRequest { Q = word, CategoryId = categoryId, Sort = order, Limit = 7 });

        // Common: the sort index is walked. Rare: the GIN index. In between, the GIN index with a wider
        // bitmap, its matches counted to the bound first or (estimated past it in a large catalog) not.
        var common = await PagesAsync(new Dictionary<string, float> { [word] = 1f }, 0, e => e.IsCommon);
        var rare = await PagesAsync(new Dictionary<string, float>(), 0, e => e.Share is null);
        var counted = await PagesAsync(new Dictionary<string, float> { [word] = 0.01f }, 1_000, e => e.ReadsLongPostings && e.Matches < ProductSearch.DenseMatches);
        var dense = await PagesAsync(new Dictionary<string, float> { [word] = 0.01f }, 10_000_000, e => e.ReadsLongPostings && e.Matches >= ProductSearch.DenseMatches);

        Assert.Equal(30, rare.Count);
        Assert.Equal(rare, common);
        Assert.Equal(rare, counted);
        Assert.Equal(rare, dense);

        async Task<List<Guid>> PagesAsync(Dictionary<string, float> frequencies, double products, Func<SearchEstimate, bool> plan)
        {
            var statistics = new SearchStatistics(dataSource, TimeProvider.System, NullLogger<SearchStatistics>.Instance);
            statistics.Assume(frequencies, products);
            Assert.True(plan(await ProductSearch.EstimateAsync(statistics, query, Ct)));
            List<Guid> ids = [];
            KeysetCursor? after = null;
            while (true)
            {
                var page = order == ProductSort.Relevance
                    ? (await ProductSearch.RelevanceAsync(reader, statistics, query, after, query.Limit + 1, Ct))
                        .Select(r => (r.Product, Rank: (float?)r.Rank)).ToList()
                    : (await ProductSearch.SortedAsync(reader, statistics, query, after, query.Limit + 1, Ct))
                        .Select(p => (p, Rank: (float?)null)).ToList();
                ids.AddRange(page.Take(query.Limit).Select(r => r.Item1.Id));
                if (page.Count <= query.Limit)
                {
                    return ids;
                }

                var (last, rank) = page[query.Limit - 1];
                after = rank is { } r
                    ? new KeysetCursor(order.Text, query.Fingerprint(), last.Id, LastRank: r)
                    : ListProducts.CursorAfter(last, order, query.Fingerprint());
            }
        }
    }

    [Fact]
    public async Task A_searchs_wider_bitmap_memory_lasts_for_its_statement_only()
    {
        // One connection: the statement after runs in the same session.
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(await fixture.GetDatabaseConnectionStringAsync()) { MaxPoolSize = 1 };
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connection.ConnectionString);
        async Task<string> SessionAsync()
        {
            await using var show = dataSource.CreateCommand("SHOW work_mem");
            return (string)(await show.ExecuteScalarAsync(Ct))!;
        }

        var before = await SessionAsync();
        var filter = ProductSqlFilter.From(ProductListQuery.From(new ProductListRequest { Q = "meadow cob" }), new SearchEstimate(0.005, 1_000_000));
        List<string> during = [];
        await filter.ReadAsync(dataSource, $"SELECT current_setting('work_mem'), {filter.TsQuery} IS NOT NULL", rows => during.Add(rows.GetString(0)), Ct);

        Assert.True(filter.WideBitmap);
        Assert.Equal(["64MB"], during);
        Assert.NotEqual("64MB", before);
        Assert.Equal(before, await SessionAsync());
    }

    [Fact]
    public async Task Past_the_exact_bound_facets_are_approximate_and_never_below_what_was_read()
    {
        var word = UniqueWord();
        JsonObject Item(int i) => new() { ["name"] = $"bulk {word} {i}", ["stockQuantity"] = i % 2 };
        var first = await SeedAsync([.. Enumerable.Range(0, 700).Select(Item)]);
        var second = await SeedAsync([.. Enumerable.Range(700, 500).Select(Item)]);

        using var response = await _client.GetAsync($"/api/v1/products/facets?q={word}", Ct);
        var facets = await response.BodyAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(facets.GetProperty("approximate").GetBoolean());
        var total = facets.GetProperty("total").GetInt64();
        Assert.InRange(total, GetProductFacets.ExactBound + 1, long.MaxValue);
        Assert.Equal(total, facets.GetProperty("inStock").GetProperty("true").GetInt64() + facets.GetProperty("inStock").GetProperty("false").GetInt64());
        Assert.All(facets.GetProperty("categories").EnumerateArray(), c => Assert.Contains(c.GetProperty("id").GetInt32(), new[] { first, second }));
    }

    [Fact]
    public async Task The_facet_estimate_plans_the_filters_with_their_parameters()
    {
        // Past the exact bound the total is the planner's estimate; 50 000 rows are too many to seed here,
        // so this runs the estimate itself on every kind of filter parameter.
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(await fixture.GetDatabaseConnectionStringAsync());
        var filter = ProductSqlFilter.From(ProductListQuery.From(new ProductListRequest
        {
            Q = "tent pe",
            CategoryId = 1,
            Tag = "camping",
            MinPrice = 1m,
            MaxPrice = 500m,
            IsActive = true,
            InStock = true,
        }));

        Assert.InRange(await GetProductFacets.EstimateAsync(dataSource, filter, Ct), 1, long.MaxValue);
    }

    [Theory]
    [InlineData("/api/v1/products?sort=relevance", "sort")]
    [InlineData("/api/v1/products/facets?sort=name", "sort")]
    [InlineData("/api/v1/products/facets?limit=5", "limit")]
    [InlineData("/api/v1/products/facets?cursor=x", "cursor")]
    [InlineData("/api/v1/products/facets?minPrice=abc", "minPrice")]
    public async Task Bad_search_and_facet_parameters_are_400(string url, string field)
    {
        using var response = await _client.GetAsync(url, Ct);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task A_relevance_cursor_is_bound_to_its_q()
    {
        var word = UniqueWord();
        var categoryId = await SeedAsync(new JsonObject { ["name"] = $"a {word}" }, new JsonObject { ["name"] = $"b {word}" });
        using var first = await _client.GetAsync($"/api/v1/products?q={word}&categoryId={categoryId}&sort=relevance&limit=1", Ct);
        var cursor = (await first.BodyAsync()).GetProperty("nextCursor").GetString()!;

        using var other = await _client.GetAsync($"/api/v1/products?q={word}x&categoryId={categoryId}&sort=relevance&cursor={Uri.EscapeDataString(cursor)}", Ct);

        await other.AssertValidationProblemAsync("cursor");
    }
}
