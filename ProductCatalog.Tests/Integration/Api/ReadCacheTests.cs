using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

/// <summary>
/// Runs alone: its racing readers would otherwise shift the timing of other classes' tests
/// (the 413 test's client can then see its upload cut off with a broken pipe).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReadCacheGroup
{
    public const string Name = "Read cache";
}

/// <summary>
/// GET by id and by SKU are served from a per-replica cache: every write through a replica must
/// be visible to that replica's very next read, by id and by SKU, with a new ETag and no stale
/// 304. (Other replicas follow within a bound: <see cref="ReplicaCoherenceTests"/>.)
/// </summary>
[Collection(ReadCacheGroup.Name)]
public sealed class ReadCacheTests(CatalogAppFixture fixture) : IAsyncLifetime
{
    private IReadOnlyList<HttpClient> _replicas = [];

    private HttpClient Client => _replicas[0];

    public async ValueTask InitializeAsync() => _replicas = await fixture.CreateReplicaClientsAsync(Ct);

    public ValueTask DisposeAsync()
    {
        foreach (var client in _replicas)
        {
            client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task<(Guid Id, string Sku, EntityTagHeaderValue ETag)> CreateAndWarmAsync(int stock = 10)
    {
        var created = await Client.CreateProductAsync(Product(stock: stock));
        var id = created.GetProperty("id").GetGuid();
        var sku = created.GetProperty("sku").GetString()!;
        EntityTagHeaderValue? etag = null;
        for (var i = 0; i < 3; i++)
        {
            using var byId = await Client.GetAsync($"/api/v1/products/{id}", Ct);
            using var bySku = await Client.GetAsync($"/api/v1/products/by-sku/{sku.ToLowerInvariant()}", Ct);
            Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
            Assert.Equal(HttpStatusCode.OK, bySku.StatusCode);
            etag = byId.Headers.ETag;
        }

        return (id, sku, etag!);
    }

    private async Task<JsonObject> ReadAsync(string path)
    {
        using var response = await Client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
    }

    private async Task AssertNotModifiedIsGoneAsync(string path, EntityTagHeaderValue oldETag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(oldETag);
        using var response = await Client.SendAsync(request, Ct);
        Assert.NotEqual(HttpStatusCode.NotModified, response.StatusCode);
        Assert.NotEqual(oldETag, response.Headers.ETag);
    }

    [Fact]
    public async Task A_stock_adjustment_is_seen_by_the_next_read_by_id_and_by_sku()
    {
        var (id, sku, etag) = await CreateAndWarmAsync(stock: 10);

        using var adjusted = await Client.PostAsync($"/api/v1/products/{id}/stock-adjustments", Json(new JsonObject { ["delta"] = 5 }), Ct);
        Assert.Equal(HttpStatusCode.OK, adjusted.StatusCode);

        Assert.Equal(15, (int)(await ReadAsync($"/api/v1/products/{id}"))["stockQuantity"]!);
        Assert.Equal(15, (int)(await ReadAsync($"/api/v1/products/by-sku/{sku}"))["stockQuantity"]!);
        await AssertNotModifiedIsGoneAsync($"/api/v1/products/{id}", etag);
        await AssertNotModifiedIsGoneAsync($"/api/v1/products/by-sku/{sku}", etag);
    }

    [Fact]
    public async Task A_replace_that_changes_the_sku_is_seen_under_both_skus()
    {
        var (id, oldSku, etag) = await CreateAndWarmAsync();
        var newSku = UniqueSku("RC");

        using var put = await Client.PutAsync($"/api/v1/products/{id}", Json(Product(sku: newSku, name: "Renamed", price: 99m)), Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var byId = await ReadAsync($"/api/v1/products/{id}");
        Assert.Equal("Renamed", (string)byId["name"]!);
        Assert.Equal(newSku, (string)byId["sku"]!);
        Assert.Equal(id, (await ReadAsync($"/api/v1/products/by-sku/{newSku}"))["id"]!.GetValue<Guid>());
        using var old = await Client.GetAsync($"/api/v1/products/by-sku/{oldSku}", Ct);
        await old.AssertProblemAsync(HttpStatusCode.NotFound);
        await AssertNotModifiedIsGoneAsync($"/api/v1/products/{id}", etag);
    }

    [Fact]
    public async Task A_merge_patch_is_seen_by_the_next_read()
    {
        var (id, sku, etag) = await CreateAndWarmAsync();

        using var patch = await Client.PatchAsync($"/api/v1/products/{id}",
            Json(new JsonObject { ["price"] = 42.5m }, "application/merge-patch+json"), Ct);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        Assert.Equal(42.5m, (decimal)(await ReadAsync($"/api/v1/products/{id}"))["price"]!);
        Assert.Equal(42.5m, (decimal)(await ReadAsync($"/api/v1/products/by-sku/{sku}"))["price"]!);
        await AssertNotModifiedIsGoneAsync($"/api/v1/products/{id}", etag);
    }

    [Fact]
    public async Task A_delete_is_seen_by_the_next_read_and_a_new_product_may_take_the_sku()
    {
        var (id, sku, _) = await CreateAndWarmAsync();

        using var deleted = await Client.DeleteAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using (var byId = await Client.GetAsync($"/api/v1/products/{id}", Ct))
        {
            await byId.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using (var bySku = await Client.GetAsync($"/api/v1/products/by-sku/{sku}", Ct))
        {
            await bySku.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        var successor = (await Client.CreateProductAsync(Product(sku: sku))).GetProperty("id").GetGuid();
        Assert.Equal(successor, (await ReadAsync($"/api/v1/products/by-sku/{sku}"))["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Reads_racing_writes_never_see_an_older_stock_level_after_a_write_returns()
    {
        var (id, _, _) = await CreateAndWarmAsync(stock: 0);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // Two gentle readers: enough to interleave with every write, not enough to load the
        // shared API that other test classes use at the same time.
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await Client.GetAsync($"/api/v1/products/{id}", CancellationToken.None);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await Task.Delay(2, CancellationToken.None);
            }
        }, CancellationToken.None)).ToArray();

        for (var expected = 1; expected <= 40; expected++)
        {
            using var adjusted = await Client.PostAsync($"/api/v1/products/{id}/stock-adjustments", Json(new JsonObject { ["delta"] = 1 }), Ct);
            Assert.Equal(HttpStatusCode.OK, adjusted.StatusCode);
            Assert.Equal(expected, (int)(await ReadAsync($"/api/v1/products/{id}"))["stockQuantity"]!);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
    }
}
