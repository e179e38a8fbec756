using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>Stops the broker, so it runs alone with the other feed tests that must not share the app.</summary>
[Collection(FeedAloneGroup.Name)]
public sealed class BrokerOutageTests(CatalogAppFixture fixture)
{
    private const string OutboxLag = "catalog.events.outbox.lag";
    private static readonly TimeSpan s_outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Writes_succeed_while_the_broker_is_down_the_outbox_lag_rises_and_every_event_arrives_afterwards()
    {
        await using var queue = await EventQueueConsumer.StartAsync(fixture, Ct);
        var prefix = $"MQ-{Guid.NewGuid():N}"[..16].ToUpperInvariant();
        var results = new ConcurrentBag<(HttpStatusCode Status, string? Id)>();
        using var stopWriters = new CancellationTokenSource();

        async Task WriterAsync(int writer)
        {
            using var client = fixture.CreateApiClient();
            for (var i = 0; !stopWriters.IsCancellationRequested; i++)
            {
                using var response = await client.PostAsync("/api/v1/products", Json(Product(sku: $"{prefix}-{writer}-{i}")), Ct);
                results.Add((response.StatusCode, response.StatusCode == HttpStatusCode.Created ? (await response.BodyAsync()).GetProperty("id").GetString() : null));
                await Task.Delay(50, Ct);
            }
        }

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() => WriterAsync(w), Ct)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        var stoppedAt = DateTimeOffset.UtcNow;
        TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss} stopping");
        await fixture.StopMessagingAsync(Ct);
        var down = Stopwatch.StartNew();
        try
        {
            // The publishing replica reports the age of the oldest unpublished event, rising while the broker is away.
            var lagging = await fixture.Telemetry.WaitForAsync(
                t => t.MetricPoints,
                points => LagSince(points, stoppedAt).Any(p => p.Value >= 5),
                s_outage + TimeSpan.FromSeconds(20),
                Ct);
            Assert.Contains(LagSince(lagging, stoppedAt), p => p.Value >= 5);
            var rest = s_outage - down.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, Ct);
            }
        }
        finally
        {
            await fixture.StartMessagingAsync(Ct);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss} started");
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        var created = results.Select(r => r.Id!).ToHashSet();
        Assert.True(created.Count > 40, $"only {created.Count} writes");

        var stopAt = DateTime.UtcNow.AddMinutes(2);
        while (!created.IsSubsetOf(queue.Received.Select(d => d.Json.GetProperty("subject").GetString()!)))
        {
            Assert.True(DateTime.UtcNow < stopAt,
                $"after the broker came back, {created.Count(id => !queue.Received.Any(d => d.Json.GetProperty("subject").GetString() == id))} of {created.Count} created events never arrived");
            await Task.Delay(250, Ct);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss} all arrived");
        var lagPoints = LagSince(fixture.Telemetry.MetricPoints, stoppedAt).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{created.Count} writes, all 201; {queue.Received.Count} deliveries ({queue.Received.Count - queue.Distinct().Count} duplicates); max outbox lag {lagPoints.Max(p => p.Value):F1} s");

        // Drained: the lag goes back to zero.
        await fixture.Telemetry.WaitForAsync(t => t.MetricPoints, points => LagSince(points, DateTimeOffset.UtcNow.AddSeconds(-3)).Any(p => p.Value < 1), TimeSpan.FromSeconds(30), Ct);
    }

    private static IEnumerable<Telemetry.ReceivedMetricPoint> LagSince(IEnumerable<Telemetry.ReceivedMetricPoint> points, DateTimeOffset since)
    {
        var nanos = (ulong)(since.ToUnixTimeMilliseconds() * 1_000_000);
        return points.Where(p => p.Service == CatalogResourceNames.Api && p.Name == OutboxLag && p.TimeUnixNano >= nanos);
    }
}
