using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace ProductCatalog.Tests.Telemetry;

/// <summary>
/// What the running app exports over OTLP, read from the fixture's in-process receiver:
/// the same data the dashboard (or any collector) gets.
/// </summary>
public sealed class TelemetryTests(CatalogAppFixture fixture)
{
    private static readonly TimeSpan s_exportWait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Get_by_id_is_one_trace_with_a_server_span_and_a_database_span()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await InsertProductAsync("TRACE", ct);

        // The request carries its own W3C trace id, so the trace is found by id, not by timing.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var client = CreateUninstrumentedApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/products/{id}");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await client.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var spans = await fixture.Telemetry.WaitForAsync(
            t => t.Spans.Where(s => s.TraceId == traceId).ToList(),
            found => found.Any(s => s.Kind == OtlpSpanKind.Server) && found.Any(IsPostgresQuery),
            s_exportWait, ct);

        var server = Assert.Single(spans, s => s.Kind == OtlpSpanKind.Server);
        Assert.Equal(CatalogResourceNames.Api, server.Service);
        Assert.Equal("/api/v1/products/{id:guid}", server.Attributes["http.route"]);
        Assert.Equal(200L, server.Attributes["http.response.status_code"]);

        // One query; a pooled connection opened for it adds a CONNECT span, which is fine.
        var database = Assert.Single(spans, IsPostgresQuery);
        Assert.Equal(OtlpSpanKind.Client, database.Kind);
        Assert.Equal(CatalogResourceNames.Api, database.Service);
        Assert.StartsWith("SELECT", (string?)database.Attributes["db.query.text"], StringComparison.Ordinal);
        Assert.Contains("FROM products", (string?)database.Attributes["db.query.text"], StringComparison.Ordinal);
        Assert.True(IsDescendantOf(database, server, spans), "The database span belongs under the request's server span.");
        Assert.All(spans, s => Assert.Equal(traceId, s.TraceId));
    }

    [Fact]
    public async Task Migration_worker_run_is_its_own_trace_with_database_spans()
    {
        var ct = TestContext.Current.CancellationToken;
        var spans = await fixture.Telemetry.WaitForAsync(
            t => t.Spans.Where(s => s.Service == CatalogResourceNames.Migrations).ToList(),
            found => found.Any(s => s.Name == "Migrating catalog database"),
            s_exportWait, ct);

        var run = Assert.Single(spans, s => s.Name == "Migrating catalog database");
        Assert.Equal("", run.ParentSpanId);
        Assert.Contains(spans, s => s.TraceId == run.TraceId && IsPostgresQuery(s)
            && ((string?)s.Attributes["db.query.text"])!.StartsWith("CREATE TABLE products", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Creating_a_product_increments_the_created_counter_and_a_duplicate_counts_as_rejected()
    {
        var ct = TestContext.Current.CancellationToken;
        const string created = "catalog.products.created";
        const string rejected = "catalog.writes.rejected";
        var createdBefore = LatestApiSum(fixture.Telemetry.MetricPoints, created);
        var conflictsBefore = LatestApiSum(fixture.Telemetry.MetricPoints, rejected, ("reason", "conflict"));

        using var client = fixture.CreateApiClient();
        var product = new { sku = $"METRIC-{Guid.CreateVersion7():N}".ToUpperInvariant(), name = "Counted product", price = 1.50m, currency = "USD" };
        using (var response = await client.PostAsJsonAsync("/api/v1/products", product, ct))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        using (var duplicate = await client.PostAsJsonAsync("/api/v1/products", product, ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }

        // Cumulative sums: other tests may create products too, so "at least one more".
        var points = await fixture.Telemetry.WaitForAsync(
            t => t.MetricPoints,
            all => LatestApiSum(all, created) >= createdBefore + 1 && LatestApiSum(all, rejected, ("reason", "conflict")) >= conflictsBefore + 1,
            s_exportWait, ct);
        Assert.True(
            LatestApiSum(points, created) >= createdBefore + 1,
            $"{created} was {createdBefore} before the POST and {LatestApiSum(points, created)} after.");
        Assert.True(
            LatestApiSum(points, rejected, ("reason", "conflict")) >= conflictsBefore + 1,
            $"{rejected}{{reason=conflict}} was {conflictsBefore} before the duplicate POST and {LatestApiSum(points, rejected, ("reason", "conflict"))} after.");
        Assert.Contains(points, p => p.Name == created && p.Scope == "ProductCatalog.Api");
        Assert.Contains(points, p => p.Name == rejected && Equals(p.Attributes.GetValueOrDefault("operation"), "CreateProduct"));
    }

    [Fact]
    public async Task Listing_products_records_the_list_duration_histogram()
    {
        var ct = TestContext.Current.CancellationToken;
        const string histogram = "catalog.products.list.duration";
        var before = LatestApiSum(fixture.Telemetry.MetricPoints, histogram);

        using var client = fixture.CreateApiClient();
        using (var response = await client.GetAsync("/api/v1/products?limit=5", ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var points = await fixture.Telemetry.WaitForAsync(
            t => t.MetricPoints, all => LatestApiSum(all, histogram) >= before + 1, s_exportWait, ct);
        var after = LatestApiSum(points, histogram);
        Assert.True(after >= before + 1, $"{histogram} counted {before} listings before and {after} after (all replicas).");
        var latest = points.Where(p => p.Service == CatalogResourceNames.Api && p.Name == histogram).MaxBy(p => p.TimeUnixNano);
        Assert.NotNull(latest);
        Assert.True(latest.Sum > 0, "The histogram's sum is the time spent listing, in seconds.");
    }

    [Fact]
    public async Task Logs_are_structured_and_carry_no_secret()
    {
        var ct = TestContext.Current.CancellationToken;
        var logs = await fixture.Telemetry.WaitForAsync(
            t => t.Logs,
            all => all.Any(l => l.Service == CatalogResourceNames.Migrations && l.Attributes.ContainsKey("ProductCount")),
            s_exportWait, ct);

        // A message template's placeholders arrive as attributes, the template itself too; the
        // last records of the short-lived worker arrive (flushed when its host stops).
        var seeded = Assert.Single(logs, l => l.Service == CatalogResourceNames.Migrations && l.Attributes.ContainsKey("ProductCount"));
        Assert.Equal(6L, seeded.Attributes["ProductCount"]);
        Assert.Equal("Seeded {ProductCount} sample product(s)", seeded.Attributes["{OriginalFormat}"]);
        Assert.Equal("Seeded 6 sample product(s)", seeded.Body);
        Assert.Equal(seeded.TraceId, Assert.Single(fixture.Telemetry.Spans, s => s.Name == "Migrating catalog database").TraceId);
        Assert.Contains(logs, l => l.Service == CatalogResourceNames.Migrations && l.Body == "Catalog database is up to date");

        var password = new NpgsqlConnectionStringBuilder(await fixture.GetDatabaseConnectionStringAsync()).Password;
        Assert.False(string.IsNullOrEmpty(password));
        Assert.DoesNotContain(logs, l => Mentions(l.Body, password) || l.Attributes.Values.Any(v => Mentions(v, password)));
        Assert.DoesNotContain(fixture.Telemetry.Spans, s => s.Attributes.Values.Any(v => Mentions(v, password)));
        Assert.Empty(fixture.Telemetry.Errors);
    }

    private static bool IsPostgresQuery(ReceivedSpan span) =>
        span.Attributes.TryGetValue("db.system.name", out var system) && Equals(system, "postgresql")
        && span.Attributes.ContainsKey("db.query.text");

    private static bool IsDescendantOf(ReceivedSpan span, ReceivedSpan ancestor, IReadOnlyList<ReceivedSpan> trace)
    {
        var current = span;
        for (var depth = 0; depth < 32 && current is not null; depth++)
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }

            current = trace.FirstOrDefault(s => s.SpanId == current.ParentSpanId);
        }

        return false;
    }

    /// <summary>
    /// The newest cumulative value of a counter (for a histogram: its count) the api exported,
    /// summed over its tag sets, or over those that carry <paramref name="tag"/>.
    /// </summary>
    private static double LatestApiSum(IReadOnlyList<ReceivedMetricPoint> points, string name, (string Key, string Value)? tag = null)
    {
        var series = points
            .Where(p => p.Service == CatalogResourceNames.Api && p.Name == name)
            .Where(p => tag is not { } t || Equals(p.Attributes.GetValueOrDefault(t.Key), t.Value))
            .ToList();
        if (series.Count == 0)
        {
            return 0;
        }

        // One cumulative series per replica and attribute set: the latest point of each, summed.
        return series
            .GroupBy(p => p.Instance + "|" + string.Join(',', p.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")))
            .Sum(g => g.MaxBy(p => p.TimeUnixNano)!.Value);
    }

    private static bool Mentions(object? value, string secret) => value switch
    {
        string text => text.Contains(secret, StringComparison.Ordinal),
        object?[] array => array.Any(v => Mentions(v, secret)),
        _ => false,
    };

    /// <summary>A client that sends no trace headers of its own, so the test's traceparent is the one used.</summary>
    private HttpClient CreateUninstrumentedApiClient() =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null })
        {
            BaseAddress = fixture.App.GetEndpoint(CatalogResourceNames.Api, "http"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    private async Task<Guid> InsertProductAsync(string prefix, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync());
        await connection.OpenAsync(ct);
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO products (id, sku, name, price, currency, tags, stock_quantity, is_active, created_at, updated_at)
            VALUES ($1, $2, 'Telemetry check', 1.00, 'USD', ARRAY['telemetry'], 1, true, now(), now())
            """, connection)
        {
            Parameters = { new() { Value = id }, new() { Value = $"{prefix}-{id:N}".ToUpperInvariant() } },
        };
        await insert.ExecuteNonQueryAsync(ct);
        return id;
    }
}
