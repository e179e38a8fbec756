using System.Text.Json;
//#if (events)
using System.Text.Json.Nodes;
//#endif

namespace ProductCatalog.Tests.Integration.Events;

public sealed class EventTracingTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task The_writes_trace_context_is_in_its_event()
    {
        var (traceId, created) = await CreateInTraceAsync();

        Assert.StartsWith($"00-{traceId}-", created.GetProperty("traceparent").GetString(), StringComparison.Ordinal);
    }

    //#if (events)
    [Fact]
    public async Task The_relays_publish_of_the_event_is_in_the_writes_trace()
    {
        var (traceId, created) = await CreateInTraceAsync();

        // The relay's producer span is in the write's trace.
        var spans = await fixture.Telemetry.WaitForAsync(
            t => t.Spans.Where(s => s.TraceId == traceId).ToList(),
            found => found.Any(s => s.Kind == OtlpSpanKind.Server)
                && found.Any(s => s.Kind == OtlpSpanKind.Producer && Equals(s.Attributes.GetValueOrDefault("messaging.message.id"), created.GetProperty("id").GetString())),
            TimeSpan.FromSeconds(45), Ct);
        var publish = Assert.Single(spans, s => s.Kind == OtlpSpanKind.Producer && s.Scope == "ProductCatalog.Api.Events");
        Assert.Equal("catalog.events publish", publish.Name);
        Assert.Equal("catalog.product.created", publish.Attributes["messaging.rabbitmq.destination.routing_key"]);
        Assert.Contains(spans, s => s.Kind == OtlpSpanKind.Server && s.Service == CatalogResourceNames.Api);
    }

    [Fact]
    public async Task A_batch_imports_events_are_published_under_one_span_per_relay_batch_not_one_per_item()
    {
        var items = new JsonArray([.. Enumerable.Range(0, 20).Select(_ => (JsonNode)Product())]);
        var (traceId, body) = await fixture.PostInTraceAsync("/api/v1/products/batch", new JsonObject { ["items"] = items });
        Assert.Equal(20, body.GetProperty("ids").GetArrayLength());

        // Every item's publish is counted once; a relay batch boundary may split the write's events over two spans.
        static long Published(ReceivedSpan s) => s.Attributes.TryGetValue("messaging.batch.message_count", out var count) ? Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture) : 1;
        var publishes = await fixture.Telemetry.WaitForAsync(
            t => t.Spans.Where(s => s.TraceId == traceId && s.Kind == OtlpSpanKind.Producer && s.Scope == "ProductCatalog.Api.Events").ToList(),
            found => found.Sum(Published) == 20,
            TimeSpan.FromSeconds(45), Ct);
        Assert.InRange(publishes.Count, 1, 2);
        Assert.All(publishes, s => Assert.Equal("catalog.product.created", s.Attributes["messaging.rabbitmq.destination.routing_key"]));
    }

    //#endif
    /// <summary>Creates a product in a trace of its own (the caller's traceparent) and reads its event from the feed.</summary>
    private async Task<(string TraceId, JsonElement Created)> CreateInTraceAsync()
    {
        var start = await HeadAsync(fixture);
        var (traceId, body) = await fixture.PostInTraceAsync("/api/v1/products", Product());
        var id = body.GetProperty("id").GetString()!;

        var feed = EventFeedReader.Create(fixture);
        var created = (await feed.ReadUntilAsync(start, read => read.Any(e => Subject(e) == id), TimeSpan.FromSeconds(30))).Single(e => Subject(e) == id);
        return (traceId, created);
    }
}
