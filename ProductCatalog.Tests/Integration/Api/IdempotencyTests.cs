using System.Net;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

public sealed class IdempotencyTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateApiClient();

    private Task<HttpResponseMessage> PostAsync(string path, JsonNode body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        return _client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task The_same_key_and_body_twice_writes_one_product_and_replays_the_first_response()
    {
        var key = Guid.NewGuid().ToString();
        var sku = UniqueSku("idem");
        var body = Product(sku);

        using var first = await PostAsync("/api/v1/products", body, key);
        using var second = await PostAsync("/api/v1/products", body, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(1, await CountProductsAsync(fixture, sku));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_write_once()
    {
        var key = Guid.NewGuid().ToString();
        var sku = UniqueSku("idemrace");

        var bodies = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var response = await PostAsync("/api/v1/products", Product(sku), key);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return await response.Content.ReadAsStringAsync(Ct);
        }));

        Assert.Single(bodies.Distinct());
        Assert.Equal(1, await CountProductsAsync(fixture, sku));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422()
    {
        var key = Guid.NewGuid().ToString();
        using var first = await PostAsync("/api/v1/products", Product(), key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var second = await PostAsync("/api/v1/products", Product(), key);

        await second.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_failed_write_does_not_use_up_the_key()
    {
        var key = Guid.NewGuid().ToString();
        var body = Product(categoryId: int.MaxValue);
        using var rejected = await PostAsync("/api/v1/products", body, key);
        await rejected.AssertValidationProblemAsync("categoryId");

        body["categoryId"] = null;
        using var accepted = await PostAsync("/api/v1/products", body, key);

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task Batch_replays_the_same_ids()
    {
        var key = Guid.NewGuid().ToString();
        var prefix = UniqueSku("idembatch");
        var body = new JsonObject { ["items"] = new JsonArray(Product($"{prefix}-1"), Product($"{prefix}-2")) };

        using var first = await PostAsync("/api/v1/products/batch", body, key);
        using var second = await PostAsync("/api/v1/products/batch", body, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal(2, await CountProductsAsync(fixture, prefix));
    }

    [Fact]
    public async Task Keys_are_scoped_to_the_caller()
    {
        var key = Guid.NewGuid().ToString();
        var sku = UniqueSku("idemscope");
        using var first = await PostAsync("/api/v1/products", Product(sku), key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        // Another client with the same key and body does not get the first client's response replayed.
        using var other = fixture.CreateApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/products") { Content = Json(Product(sku)) };
        request.Headers.Add("Idempotency-Key", key);
        using var second = await other.SendAsync(request, Ct);

        await second.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    public async Task Malformed_keys_are_400(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/products") { Content = Json(Product()) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using var response = await _client.SendAsync(request, Ct);

        await response.AssertValidationProblemAsync("Idempotency-Key");
    }
}
