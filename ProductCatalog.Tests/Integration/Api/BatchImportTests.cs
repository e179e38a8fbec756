using System.Net;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

public sealed class BatchImportTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateApiClient();

    [Fact]
    public async Task A_batch_creates_every_product_and_returns_their_ids_in_order()
    {
        var prefix = UniqueSku("batch");
        var categoryId = await _client.CreateCategoryAsync();
        var items = new JsonArray(Enumerable.Range(0, 250)
            .Select(i => (JsonNode)Product($"{prefix}-{i:D3}", $"Batch item {i}", 1m + i, categoryId, i))
            .ToArray());
        items[3]!["tags"] = new JsonArray("Imported");

        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ids = (await response.BodyAsync()).GetProperty("ids").EnumerateArray().Select(e => e.GetGuid()).ToArray();
        Assert.Equal(250, ids.Length);
        using var third = await _client.GetAsync($"/api/v1/products/{ids[3]}", Ct);
        var product = await third.BodyAsync();
        Assert.Equal($"{prefix}-003", product.GetProperty("sku").GetString());
        Assert.Equal(["imported"], product.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(categoryId, product.GetProperty("categoryId").GetInt32());
        Assert.NotNull(third.Headers.ETag);
        Assert.Equal(250, await CountProductsAsync(fixture, prefix));
    }

    [Fact]
    public async Task One_bad_item_rejects_the_whole_batch_and_names_it()
    {
        var prefix = UniqueSku("badbatch");
        var items = new JsonArray(Product($"{prefix}-0"), Product($"{prefix}-1", price: 1.001m), Product($"{prefix}-2"), null);

        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);

        await response.AssertValidationProblemAsync("items[1].price", "items[3]");
        Assert.Equal(0, await CountProductsAsync(fixture, prefix));
    }

    [Fact]
    public async Task Duplicate_skus_inside_a_batch_are_400_on_the_later_item()
    {
        var prefix = UniqueSku("dupbatch");
        var items = new JsonArray(Product($"{prefix}-A"), Product($"{prefix}-a"));

        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);

        await response.AssertValidationProblemAsync("items[1].sku");
        Assert.Equal(0, await CountProductsAsync(fixture, prefix));
    }

    [Fact]
    public async Task A_sku_that_already_exists_is_409_and_nothing_is_written()
    {
        var prefix = UniqueSku("conflictbatch");
        await _client.CreateProductAsync(Product($"{prefix}-TAKEN"));
        var items = new JsonArray(Product($"{prefix}-NEW"), Product($"{prefix}-taken"));

        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains($"{prefix}-TAKEN", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await CountProductsAsync(fixture, prefix));
    }

    [Fact]
    public async Task Unknown_category_is_named_per_item()
    {
        var items = new JsonArray(Product(), Product(categoryId: int.MaxValue - 1));

        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);

        await response.AssertValidationProblemAsync("items[1].categoryId");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task Batch_size_must_be_1_to_1000(int count)
    {
        var items = new JsonArray(Enumerable.Range(0, count).Select(_ => (JsonNode)Product()).ToArray());

        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);

        await response.AssertValidationProblemAsync("items");
    }
}
