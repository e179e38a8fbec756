using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

/// <summary>Each test lists only its own category, so other tests' products never show up.</summary>
public sealed class ProductListingTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateApiClient();

    private async Task<(int CategoryId, List<JsonElement> Products)> SeedAsync(int count, Func<int, JsonObject>? customize = null)
    {
        var categoryId = await _client.CreateCategoryAsync();
        var prefix = UniqueSku("list");
        var items = new JsonArray(Enumerable.Range(0, count).Select(i =>
        {
            var product = customize?.Invoke(i) ?? Product(name: $"item {i % 7}", price: 1m + (i % 5));
            product["sku"] = $"{prefix}-{i:D4}";
            product["categoryId"] = categoryId;
            return (JsonNode)product;
        }).ToArray());
        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var all = await WalkAsync($"categoryId={categoryId}&limit=100");
        return (categoryId, all);
    }

    private async Task<List<JsonElement>> WalkAsync(string query, Func<Task>? betweenPages = null)
    {
        var products = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var url = $"/api/v1/products?{query}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            using var response = await _client.GetAsync(url, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            var page = await response.BodyAsync();
            products.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            cursor = page.GetProperty("nextCursor").GetString();
            Assert.Equal(cursor is not null, response.Headers.Contains("Link"));
            if (betweenPages is not null)
            {
                await betweenPages();
            }
        }
        while (cursor is not null);

        return products;
    }

    [Fact]
    public async Task Walking_all_pages_returns_each_product_once_while_others_are_inserted()
    {
        var (categoryId, all) = await SeedAsync(95);
        var original = all.Select(p => p.GetProperty("id").GetGuid()).ToHashSet();
        Assert.Equal(95, original.Count);

        var inserted = 0;
        var walked = await WalkAsync($"categoryId={categoryId}&limit=7", async () =>
        {
            // New rows land before and after the reading position.
            await _client.CreateProductAsync(Product(name: "item 0", price: 1m, categoryId: categoryId));
            await _client.CreateProductAsync(Product(name: "zzz late", price: 1m, categoryId: categoryId));
            inserted += 2;
        });

        var ids = walked.Select(p => p.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Subset(ids.ToHashSet(), original);
        Assert.True(inserted > 0);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("-name")]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("createdAt")]
    [InlineData("-createdAt")]
    public async Task Every_sort_is_a_total_order_with_ties_broken_by_id(string sort)
    {
        var (categoryId, _) = await SeedAsync(40);

        var walked = await WalkAsync($"categoryId={categoryId}&limit=6&sort={sort}");

        Assert.Equal(40, walked.Count);
        var descending = sort.StartsWith('-');
        var field = sort.TrimStart('-');
        for (var i = 1; i < walked.Count; i++)
        {
            var order = Compare(walked[i - 1], walked[i], field);
            if (order == 0)
            {
                order = string.CompareOrdinal(walked[i - 1].GetProperty("id").GetString(), walked[i].GetProperty("id").GetString());
            }

            Assert.True(descending ? order > 0 : order < 0, $"{sort}: item {i - 1} and {i} out of order");
        }
    }

    private static int Compare(JsonElement a, JsonElement b, string field) => field switch
    {
        "name" => string.CompareOrdinal(a.GetProperty("name").GetString(), b.GetProperty("name").GetString()),
        "price" => a.GetProperty("price").GetDecimal().CompareTo(b.GetProperty("price").GetDecimal()),
        _ => a.GetProperty("createdAt").GetDateTimeOffset().CompareTo(b.GetProperty("createdAt").GetDateTimeOffset()),
    };

    [Fact]
    public async Task First_and_deep_pages_have_the_same_shape()
    {
        var (categoryId, _) = await SeedAsync(30);

        using var first = await _client.GetAsync($"/api/v1/products?categoryId={categoryId}&limit=5", Ct);
        var firstPage = await first.BodyAsync();
        var walked = await WalkAsync($"categoryId={categoryId}&limit=5");

        Assert.Equal(30, walked.Count);
        Assert.Equal(
            firstPage.GetProperty("items")[0].EnumerateObject().Select(p => p.Name),
            walked[^1].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["items", "nextCursor"], firstPage.EnumerateObject().Select(p => p.Name));
        var link = first.Headers.GetValues("Link").Single();
        Assert.Matches("^<http://[^>]+/api/v1/products\\?[^>]*cursor=[^>]+>; rel=\"next\"$", link);
    }

    [Fact]
    public async Task Filters_narrow_the_listing()
    {
        var (categoryId, _) = await SeedAsync(10, i => new JsonObject
        {
            ["name"] = $"filter {i}",
            ["price"] = 10m * i,
            ["tags"] = i % 2 == 0 ? new JsonArray("even") : new JsonArray("odd"),
            ["stockQuantity"] = i < 3 ? 0 : 5,
            ["isActive"] = i != 9,
        });

        async Task<int> CountAsync(string filter) => (await WalkAsync($"categoryId={categoryId}&{filter}")).Count;

        Assert.Equal(5, await CountAsync("tag=EVEN"));
        Assert.Equal(3, await CountAsync("minPrice=20&maxPrice=40"));
        Assert.Equal(1, await CountAsync("isActive=false"));
        Assert.Equal(3, await CountAsync("inStock=false"));
        Assert.Equal(7, await CountAsync("inStock=true"));
    }

    [Fact]
    public async Task Search_finds_by_word_and_shrugs_off_sql_and_operators()
    {
        var word = $"zq{Guid.NewGuid():N}"[..12];
        var categoryId = await _client.CreateCategoryAsync();
        await _client.CreateProductAsync(new JsonObject
        {
            ["sku"] = UniqueSku("search"),
            ["name"] = $"Lightweight {word} tents",
            ["description"] = "For alpine trips",
            ["price"] = 10,
            ["categoryId"] = categoryId,
        });

        Assert.Single(await WalkAsync($"q={word}"));
        Assert.Single(await WalkAsync($"q={Uri.EscapeDataString($"{word} tent")}&categoryId={categoryId}")); // stemming: tents ~ tent
        Assert.Single(await WalkAsync($"q=alpine&categoryId={categoryId}"));
        foreach (var hostile in new[] { "'; DROP TABLE products; --", "\" OR 1=1 --", "a & | ! ( ) :* <->", "\\", "%_%", "' OR ''='" })
        {
            using var response = await _client.GetAsync($"/api/v1/products?q={Uri.EscapeDataString(hostile)}", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Cursors_are_tamper_evident_and_bound_to_their_filters()
    {
        var (categoryId, _) = await SeedAsync(4);
        using var first = await _client.GetAsync($"/api/v1/products?categoryId={categoryId}&limit=2", Ct);
        var cursor = (await first.BodyAsync()).GetProperty("nextCursor").GetString()!;

        var tampered = cursor[..^2] + (cursor[^2] == 'A' ? "B" : "A") + cursor[^1];
        foreach (var url in new[]
        {
            $"/api/v1/products?categoryId={categoryId}&limit=2&cursor={Uri.EscapeDataString(tampered)}",
            $"/api/v1/products?categoryId={categoryId}&limit=2&cursor=not-a-cursor",
            $"/api/v1/products?categoryId={categoryId}&sort=price&cursor={Uri.EscapeDataString(cursor)}",
            $"/api/v1/products?categoryId={categoryId}&isActive=true&cursor={Uri.EscapeDataString(cursor)}",
            $"/api/v1/products?cursor={Uri.EscapeDataString(cursor)}",
        })
        {
            using var response = await _client.GetAsync(url, Ct);
            await response.AssertValidationProblemAsync("cursor");
        }

        // A different page size with the same filters is fine.
        using var resized = await _client.GetAsync($"/api/v1/products?categoryId={categoryId}&limit=3&cursor={Uri.EscapeDataString(cursor)}", Ct);
        Assert.Equal(2, (await resized.BodyAsync()).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("sort=random", "sort")]
    [InlineData("categoryId=-1", "categoryId")]
    [InlineData("minPrice=abc", "minPrice")]
    [InlineData("minPrice=5&maxPrice=1", "minPrice")]
    [InlineData("isActive=yes", "isActive")]
    [InlineData("inStock=1", "inStock")]
    [InlineData("colour=red", "colour")]
    [InlineData("limit=1&limit=2", "limit")]
    public async Task Bad_query_parameters_are_400(string query, string field)
    {
        using var response = await _client.GetAsync($"/api/v1/products?{query}", Ct);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task Default_page_is_twenty_sorted_by_name()
    {
        await SeedAsync(25);

        using var response = await _client.GetAsync("/api/v1/products", Ct);

        var page = await response.BodyAsync();
        Assert.Equal(20, page.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.String, page.GetProperty("nextCursor").ValueKind);
    }
}
