using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Npgsql;

namespace ProductCatalog.Tests.Integration.Api;

/// <summary>
/// Two API replicas, each with its own read cache: a write on one is served by the other within
/// the stated bound (docs/caching.md), a stale If-Match is refused everywhere, and a replica that
/// lost its change subscription never serves what it cached before.
/// </summary>
[Collection(ReadCacheGroup.Name)]
public sealed class ReplicaCoherenceTests(CatalogAppFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The stated bound: after a write's 2xx, every replica serves the new version within this.</summary>
    private static readonly TimeSpan s_bound = TimeSpan.FromMilliseconds(100);

    private IReadOnlyList<HttpClient> _replicas = [];

    private HttpClient Writer => _replicas[0];

    private HttpClient Reader => _replicas[1];

    public async ValueTask InitializeAsync()
    {
        _replicas = await fixture.CreateReplicaClientsAsync(Ct);
        Assert.Equal(CatalogAppFixture.ApiReplicas, _replicas.Count);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var client in _replicas)
        {
            client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task The_replicas_are_distinct_processes_sharing_one_database()
    {
        var id = (await Writer.CreateProductAsync(Product())).GetProperty("id").GetGuid();
        using var read = await Reader.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.NotEqual(Writer.BaseAddress, Reader.BaseAddress);
    }

    [Fact]
    public async Task Writes_on_one_replica_are_served_by_the_other_within_the_bound()
    {
        const int writes = 200;
        const int WritesPerClient = 50;
        var sku = UniqueSku("LAG");
        var id = (await Writer.CreateProductAsync(Product(sku: sku, stock: 0))).GetProperty("id").GetGuid();
        var lags = new List<double>(writes);
        var staleReads = 0;

        for (var expected = 1; expected <= writes; expected++)
        {
            // The reader holds the current version in its cache (a miss, then a hit).
            await StockOnReaderAsync(id);
            await StockOnReaderAsync(id);

            if (expected % WritesPerClient == 0)
            {
                // The write rate limit is per client across replicas (this replica allows its share):
                // a new client every few dozen writes keeps this test about lag, not about the limit.
                Writer.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(fixture.SigningKey));
            }

            using (var adjusted = await Writer.PostAsync($"/api/v1/products/{id}/stock-adjustments", Json(new JsonObject { ["delta"] = 1 }), Ct))
            {
                Assert.Equal(HttpStatusCode.OK, adjusted.StatusCode);
            }

            // The lag is when the first read that saw the write was sent: any read sent later sees it too.
            var written = Stopwatch.StartNew();
            var sent = TimeSpan.Zero;
            while (await StockOnReaderAsync(id) != expected)
            {
                staleReads++;
                sent = written.Elapsed;
                Assert.True(sent < TimeSpan.FromSeconds(10), $"Write {expected} not served by the other replica after 10 s.");
            }

            lags.Add(sent.TotalMilliseconds);
        }

        // By SKU too, once: the same eviction covers both keys.
        using (var bySku = await Reader.GetAsync($"/api/v1/products/by-sku/{sku}", Ct))
        {
            Assert.Equal(writes, (await bySku.BodyAsync()).GetProperty("stockQuantity").GetInt32());
        }

        lags.Sort();
        var p50 = Percentile(lags, 0.50);
        var p95 = Percentile(lags, 0.95);
        var p99 = Percentile(lags, 0.99);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cross-replica lag over {writes} writes (write's 2xx -> first read sent to the other replica that saw it): p50 {p50:F1} ms, p95 {p95:F1} ms, p99 {p99:F1} ms, max {lags[^1]:F1} ms; {staleReads} stale reads"));

        // The machine running the tests is shared (2 cores, several builds): a scheduling hiccup
        // may push the odd write past the bound, so the assertion is on the 95th percentile, and
        // no write may take ten times the bound.
        Assert.True(p95 <= s_bound.TotalMilliseconds, $"p95 lag {p95:F1} ms exceeds {s_bound.TotalMilliseconds} ms.");
        Assert.True(lags[^1] <= 10 * s_bound.TotalMilliseconds, $"max lag {lags[^1]:F1} ms exceeds {10 * s_bound.TotalMilliseconds} ms.");
    }

    [Fact]
    public async Task A_stale_If_Match_is_412_on_every_replica_whatever_they_cached()
    {
        var id = (await Writer.CreateProductAsync(Product())).GetProperty("id").GetGuid();
        var stale = await ETagOnAsync(Reader, id);
        Assert.Equal(stale, await ETagOnAsync(Writer, id));

        using (var put = await PutAsync(Writer, id, stale, name: "Second version"))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // At once, before the other replica may have heard of the change.
        foreach (var replica in _replicas.Reverse())
        {
            using (var put = await PutAsync(replica, id, stale, name: "Lost update"))
            {
                await put.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
            }

            using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/products/{id}"))
            {
                patch.Content = Json(new JsonObject { ["price"] = 1m }, "application/merge-patch+json");
                patch.Headers.IfMatch.Add(stale);
                using var response = await replica.SendAsync(patch, Ct);
                await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
            }

            using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/products/{id}"))
            {
                delete.Headers.IfMatch.Add(stale);
                using var response = await replica.SendAsync(delete, Ct);
                await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
            }
        }

        using var read = await Reader.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal("Second version", (await read.BodyAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_replica_that_lost_its_subscription_drops_what_it_cached()
    {
        await using var connection = new NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync());
        await connection.OpenAsync(Ct);

        // A test that restarted PostgreSQL just before may leave a replica in its reconnect
        // back-off (up to 5 s): start from every replica listening, or there is nothing to cut.
        await fixture.WaitUntilEveryReplicaListensAsync(TimeSpan.FromSeconds(20), Ct);

        var id = (await Writer.CreateProductAsync(Product(name: "Before the outage"))).GetProperty("id").GetGuid();
        await NameOnAsync(Reader, id);
        Assert.Equal("Before the outage", await NameOnAsync(Reader, id));

        // Cut every replica's listening connection, and change the row while they reconnect: the
        // change is never announced to them.
        await using (var cut = new NpgsqlCommand(
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{CatalogChangeNotifications.ApplicationName}'", connection))
        {
            Assert.Equal((long)CatalogAppFixture.ApiReplicas, await cut.ExecuteScalarAsync(Ct));
        }

        await using (var update = new NpgsqlCommand("UPDATE products SET name = 'During the outage' WHERE id = @id", connection))
        {
            update.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync(Ct));
        }

        var since = Stopwatch.StartNew();
        while (await NameOnAsync(Reader, id) != "During the outage")
        {
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(5), "The reader still serves what it cached before losing its subscription.");
            await Task.Delay(10, Ct);
        }

        // And both replicas listen again.
        await fixture.WaitUntilEveryReplicaListensAsync(TimeSpan.FromSeconds(20), Ct);
    }

    private async Task<int> StockOnReaderAsync(Guid id)
    {
        using var response = await Reader.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.BodyAsync()).GetProperty("stockQuantity").GetInt32();
    }

    private static async Task<string?> NameOnAsync(HttpClient replica, Guid id)
    {
        using var response = await replica.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.BodyAsync()).GetProperty("name").GetString();
    }

    private static async Task<EntityTagHeaderValue> ETagOnAsync(HttpClient replica, Guid id)
    {
        using var response = await replica.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!;
    }

    private static async Task<HttpResponseMessage> PutAsync(HttpClient replica, Guid id, EntityTagHeaderValue ifMatch, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{id}");
        request.Content = Json(Product(name: name));
        request.Headers.IfMatch.Add(ifMatch);
        return await replica.SendAsync(request, Ct);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];
}
