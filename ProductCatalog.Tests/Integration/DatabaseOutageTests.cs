using System.Net;

namespace ProductCatalog.Tests.Integration;

/// <summary>
/// Tests that stop PostgreSQL. They share the one app, so they run alone, after every
/// parallel collection has finished.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DatabaseOutageGroup
{
    public const string Name = "Database outage";
}

[Collection(DatabaseOutageGroup.Name)]
public sealed class DatabaseOutageTests(CatalogAppFixture fixture)
{
    private static readonly TimeSpan s_recoveryTimeout = TimeSpan.FromSeconds(90);

    /// <summary>A key lookup by id and by SKU (no such product: 404 when the database is up) and the default listing.</summary>
    private static readonly string[] s_readPaths =
        [$"/api/v1/products/{Guid.NewGuid()}", $"/api/v1/products/by-sku/OUTAGE-{Guid.NewGuid():N}", "/api/v1/products?limit=1"];

    [Fact]
    public async Task Health_is_503_while_PostgreSQL_is_down_and_200_again_after_it_restarts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = fixture.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", ct)).StatusCode);

        await fixture.StopPostgresAsync(ct);
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await WaitForHealthAsync(client, HttpStatusCode.ServiceUnavailable, ct));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", ct)).StatusCode);

            // Reads go to the database (the cache serves nothing while its subscription is down):
            // 503 problems after the quick retries, never a 500.
            foreach (var path in s_readPaths)
            {
                using var read = await client.GetAsync(path, ct);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
                Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
            }
        }
        finally
        {
            await fixture.StartPostgresAsync(ct);
        }

        Assert.Equal(HttpStatusCode.OK, await WaitForHealthAsync(client, HttpStatusCode.OK, ct));
        foreach (var path in s_readPaths)
        {
            using var read = await client.GetAsync(path, ct);
            Assert.True(read.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path}: {read.StatusCode}");
        }
    }

    [Fact]
    public async Task Writes_under_load_survive_a_database_restart_with_only_503s_and_no_lost_acknowledgements()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = fixture.CreateApiClient();
        var prefix = $"FAULT-{Guid.NewGuid():N}"[..20].ToUpperInvariant();
        var results = new System.Collections.Concurrent.ConcurrentBag<(string Sku, HttpStatusCode Status, bool ProblemWithRetryAfter)>();
        using var stopWriters = new CancellationTokenSource();

        async Task WriterAsync(int writer)
        {
            // One caller per writer: each stays well under the per-client write rate limit.
            using var writerClient = fixture.CreateApiClient();
            for (var i = 0; !stopWriters.IsCancellationRequested; i++)
            {
                var sku = $"{prefix}-{writer}-{i}";
                var body = new System.Text.Json.Nodes.JsonObject { ["sku"] = sku, ["name"] = "fault", ["price"] = 1 };
                using var response = await writerClient.PostAsync("/api/v1/products", Api.ApiTestHelpers.Json(body), ct);
                var problemWithRetryAfter = response.Content.Headers.ContentType?.MediaType == "application/problem+json" && response.Headers.RetryAfter is not null;
                results.Add((sku.ToUpperInvariant(), response.StatusCode, problemWithRetryAfter));
                await Task.Delay(20, ct);
            }
        }

        var writers = Enumerable.Range(0, 3).Select(WriterAsync).ToArray();
        await Task.Delay(1500, ct);
        await fixture.StopPostgresAsync(ct);
        await Task.Delay(3000, ct);
        await fixture.StartPostgresAsync(ct);
        var databaseBack = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, await WaitForHealthAsync(client, HttpStatusCode.OK, ct));
        var recovery = databaseBack.Elapsed;
        await Task.Delay(1500, ct);
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);

        var byStatus = results.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
        TestContext.Current.TestOutputHelper?.WriteLine($"fault test: {string.Join(", ", byStatus.Select(kv => $"{(int)kv.Key}={kv.Value}"))}; healthy {recovery.TotalSeconds:F1}s after restart");
        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"{r.Sku}: {(int)r.Status}"));
        Assert.All(results.Where(r => r.Status == HttpStatusCode.ServiceUnavailable), r => Assert.True(r.ProblemWithRetryAfter, r.Sku));
        Assert.True(byStatus.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0, "the outage was not observed");
        Assert.True(recovery < TimeSpan.FromSeconds(30), $"healthy only {recovery} after the database came back");

        var acknowledged = results.Where(r => r.Status == HttpStatusCode.Created).Select(r => r.Sku).ToHashSet();
        Assert.NotEmpty(acknowledged);
        await using var connection = new Npgsql.NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync());
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand("SELECT sku FROM products WHERE sku LIKE $1", connection)
        {
            Parameters = { new() { Value = prefix + "%" } },
        };
        var stored = new HashSet<string>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                stored.Add(reader.GetString(0));
            }
        }

        Assert.Subset(stored, acknowledged);

        // Reads recover too.
        using var read = await client.GetAsync("/api/v1/products?limit=1", ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    private static async Task<HttpStatusCode> WaitForHealthAsync(HttpClient client, HttpStatusCode wanted, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(s_recoveryTimeout);
        var last = HttpStatusCode.OK;
        try
        {
            while (true)
            {
                using var response = await client.GetAsync("/health", timeout.Token);
                last = response.StatusCode;
                if (last == wanted)
                {
                    return last;
                }

                await Task.Delay(250, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return last;
        }
    }
}
