using System.Diagnostics;
using System.Net;
using System.Text.Json;

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
        Assert.Contains(spans, s => s.Kind == OtlpSpanKind.Server && s.Service == "api");
    }

    //#endif
    /// <summary>Creates a product in a trace of its own (the caller's traceparent) and reads its event from the feed.</summary>
    private async Task<(string TraceId, JsonElement Created)> CreateInTraceAsync()
    {
        var start = await HeadAsync(fixture);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null })
        {
            BaseAddress = fixture.App.GetEndpoint("api", "http"),
        };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(fixture.SigningKey));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/products") { Content = Json(Product()) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.BodyAsync()).GetProperty("id").GetString()!;

        var feed = EventFeedReader.Create(fixture);
        var created = (await feed.ReadUntilAsync(start, read => read.Any(e => Subject(e) == id), TimeSpan.FromSeconds(30))).Single(e => Subject(e) == id);
        return (traceId, created);
    }
}
