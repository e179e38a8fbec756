using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using ProductCatalog.Tests.Integration;

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
        Assert.Equal("api", server.Service);
        Assert.Equal("/api/v1/products/{id:guid}", server.Attributes["http.route"]);
        Assert.Equal(200L, server.Attributes["http.response.status_code"]);

        // One query; a pooled connection opened for it adds a CONNECT span, which is fine.
        var database = Assert.Single(spans, IsPostgresQuery);
        Assert.Equal(OtlpSpanKind.Client, database.Kind);
        Assert.Equal("api", database.Service);
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
            t => t.Spans.Where(s => s.Service == "migrations").ToList(),
            found => found.Any(s => s.Name == "Migrating catalog database"),
            s_exportWait, ct);

        var run = Assert.Single(spans, s => s.Name == "Migrating catalog database");
        Assert.Equal("", run.ParentSpanId);
        Assert.Contains(spans, s => s.TraceId == run.TraceId && IsPostgresQuery(s)
            && ((string?)s.Attributes["db.query.text"])!.StartsWith("CREATE TABLE products", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Creating_a_product_increments_the_created_counter()
    {
        var ct = TestContext.Current.CancellationToken;
        const string counter = "catalog.products.created";
        var before = LatestApiSum(fixture.Telemetry.MetricPoints, counter);

        using var client = fixture.CreateApiClient();
        var sku = $"METRIC-{Guid.CreateVersion7():N}".ToUpperInvariant();
        using var response = await client.PostAsJsonAsync(
            "/api/v1/products", new { sku, name = "Counted product", price = 1.50m, currency = "USD" }, ct);
        Assert.SkipWhen(
            response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed,
            "POST /api/v1/products is not implemented on this branch yet.");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var points = await fixture.Telemetry.WaitForAsync(
            t => t.MetricPoints,
            all => LatestApiSum(all, counter) >= before + 1,
            s_exportWait, ct);
        Assert.True(
            LatestApiSum(points, counter) >= before + 1,
            $"{counter} was {before} before the POST and {LatestApiSum(points, counter)} after.");
        Assert.Contains(points, p => p.Name == counter && p.Scope == "ProductCatalog.Api");
    }

    [Fact]
    public async Task Logs_are_structured_and_carry_no_secret()
    {
        var ct = TestContext.Current.CancellationToken;
        var logs = await fixture.Telemetry.WaitForAsync(
            t => t.Logs,
            all => all.Any(l => l.Service == "migrations" && l.Attributes.ContainsKey("ProductCount")),
            s_exportWait, ct);

        // A message template's placeholders arrive as attributes, the template itself too; the
        // last records of the short-lived worker arrive (flushed when its host stops).
        var seeded = Assert.Single(logs, l => l.Service == "migrations" && l.Attributes.ContainsKey("ProductCount"));
        Assert.Equal(6L, seeded.Attributes["ProductCount"]);
        Assert.Equal("Seeded {ProductCount} sample product(s)", seeded.Attributes["{OriginalFormat}"]);
        Assert.Equal("Seeded 6 sample product(s)", seeded.Body);
        Assert.Equal(seeded.TraceId, Assert.Single(fixture.Telemetry.Spans, s => s.Name == "Migrating catalog database").TraceId);
        Assert.Contains(logs, l => l.Service == "migrations" && l.Body == "Catalog database is up to date");

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

    /// <summary>The newest cumulative value of a counter the api exported, summed over its tag sets.</summary>
    private static double LatestApiSum(IReadOnlyList<ReceivedMetricPoint> points, string name)
    {
        var series = points.Where(p => p.Service == "api" && p.Name == name).ToList();
        if (series.Count == 0)
        {
            return 0;
        }

        return series
            .GroupBy(p => string.Join(',', p.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")))
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
            BaseAddress = fixture.App.GetEndpoint("api", "http"),
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
