using System.Net;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

public sealed class StockAdjustmentTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateApiClient();

    private async Task<HttpResponseMessage> AdjustAsync(Guid id, JsonObject body) =>
        await _client.PostAsync($"/api/v1/products/{id}/stock-adjustments", Json(body), Ct);

    [Fact]
    public async Task Adjusting_returns_the_new_level_and_changes_the_etag()
    {
        using var created = await _client.PostAsync("/api/v1/products", Json(Product(stock: 10)), Ct);
        var id = (await created.BodyAsync()).GetProperty("id").GetGuid();

        using var response = await AdjustAsync(id, new JsonObject { ["delta"] = -3, ["reason"] = "order 42" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.BodyAsync();
        Assert.Equal(id, body.GetProperty("productId").GetGuid());
        Assert.Equal(7, body.GetProperty("stockQuantity").GetInt32());
        using var after = await _client.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.NotEqual(created.Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task Going_below_zero_is_409_and_changes_nothing()
    {
        var id = (await _client.CreateProductAsync(Product(stock: 2))).GetProperty("id").GetGuid();

        using var response = await AdjustAsync(id, new JsonObject { ["delta"] = -3 });

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        using var product = await _client.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal(2, (await product.BodyAsync()).GetProperty("stockQuantity").GetInt32());
    }

    [Fact]
    public async Task Overflowing_int_is_409_not_500()
    {
        var id = (await _client.CreateProductAsync(Product(stock: int.MaxValue - 1))).GetProperty("id").GetGuid();

        using var response = await AdjustAsync(id, new JsonObject { ["delta"] = 2 });

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Unknown_product_is_404()
    {
        using var response = await AdjustAsync(Guid.CreateVersion7(), new JsonObject { ["delta"] = 1 });

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{}", "delta")]
    [InlineData("""{"delta":0}""", "delta")]
    [InlineData("""{"delta":1.5}""", "delta")]
    [InlineData("""{"delta":1,"reason":"bad\u0000reason"}""", "reason")]
    public async Task Invalid_adjustments_are_400(string json, string field)
    {
        var id = (await _client.CreateProductAsync(Product(stock: 1))).GetProperty("id").GetGuid();

        using var response = await _client.PostAsync($"/api/v1/products/{id}/stock-adjustments", Raw(json), Ct);

        await response.AssertValidationProblemAsync(field);
    }
}
