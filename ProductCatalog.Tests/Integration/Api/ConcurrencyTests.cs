using System.Net;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

/// <summary>The guarantees PostgreSQL gives under concurrent writers, observed through the API.</summary>
public sealed class ConcurrencyTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateApiClient();

    [Fact]
    public async Task Fifty_concurrent_creates_of_one_sku_give_exactly_one_201()
    {
        var sku = UniqueSku("race");
        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await _client.PostAsync("/api/v1/products", Json(Product(i % 2 == 0 ? sku : sku.ToLowerInvariant())), Ct);
            return response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(49, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(1, await CountProductsAsync(fixture, sku));
    }

    [Fact]
    public async Task Two_puts_with_the_same_if_match_give_one_200_and_one_412()
    {
        using var created = await _client.PostAsync("/api/v1/products", Json(Product()), Ct);
        var id = (await created.BodyAsync()).GetProperty("id").GetGuid();
        var etag = created.Headers.ETag!;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 2).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{id}")
            {
                Content = Json(Product(name: $"writer {i}")),
            };
            request.Headers.IfMatch.Add(etag);
            using var response = await _client.SendAsync(request, Ct);
            return response.StatusCode;
        }));

        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.Contains(HttpStatusCode.PreconditionFailed, statuses);
    }

    [Fact]
    public async Task Hundred_concurrent_decrements_of_stock_fifty_give_fifty_successes_and_stock_zero()
    {
        var id = (await _client.CreateProductAsync(Product(stock: 50))).GetProperty("id").GetGuid();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            using var response = await _client.PostAsync($"/api/v1/products/{id}/stock-adjustments", Json(new JsonObject { ["delta"] = -1 }), Ct);
            return response.StatusCode;
        }));

        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.Conflict));
        using var product = await _client.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal(0, (await product.BodyAsync()).GetProperty("stockQuantity").GetInt32());
    }

    [Fact]
    public async Task Put_without_if_match_applies_to_the_latest_version()
    {
        using var created = await _client.PostAsync("/api/v1/products", Json(Product()), Ct);
        var id = (await created.BodyAsync()).GetProperty("id").GetGuid();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(async i =>
        {
            using var response = await _client.PutAsync($"/api/v1/products/{id}", Json(Product(name: $"writer {i}")), Ct);
            return response.StatusCode;
        }));

        Assert.All(responses, s => Assert.Equal(HttpStatusCode.OK, s));
    }
}
