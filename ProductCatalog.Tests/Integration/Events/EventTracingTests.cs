using System.Diagnostics;
using System.Net;

namespace ProductCatalog.Tests.Integration.Events;

public sealed class EventTracingTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task The_writes_trace_continues_into_the_event_and_its_publish()
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

        // The event carries the write's trace context ...
        var feed = EventFeedReader.Create(fixture);
        var created = (await feed.ReadUntilAsync(start, read => read.Any(e => Subject(e) == id), TimeSpan.FromSeconds(30))).Single(e => Subject(e) == id);
        Assert.StartsWith($"00-{traceId}-", created.GetProperty("traceparent").GetString(), StringComparison.Ordinal);

        // ... and the relay's producer span (with the client library's send span under it) is in that trace.
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
}
