using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>
/// Many writers whose transactions commit in another order than they started: a reader that
/// follows <c>next</c> live must still see every event exactly once, each product's events in
/// commit order.
/// </summary>
public sealed class ConcurrentWritersTests(CatalogAppFixture fixture)
{
    private const int Clients = 20;
    private const int WritesPerClient = 25;
    private const int Products = 10;

    [Fact]
    public async Task Five_hundred_concurrent_writes_reach_every_reader_once_each_gap_free_and_in_per_product_order()
    {
        //#if (events)
        await using var queue = await EventQueueConsumer.StartAsync(fixture, Ct);
        //#endif
        using var setup = fixture.CreateApiClient();
        var feed = EventFeedReader.Create(fixture);
        var start = await HeadAsync(fixture);
        var ids = new List<string>();
        for (var i = 0; i < Products; i++)
        {
            ids.Add((await setup.CreateProductAsync(Product(stock: 10_000))).GetProperty("id").GetString()!);
        }

        var mine = ids.ToHashSet();
        var statuses = new ConcurrentBag<(bool Patch, HttpStatusCode Status, string Body)>();
        var writing = true;

        // The live reader starts before the writers and follows next while they write.
        var live = Task.Run(() => feed.ReadUntilAsync(
            start,
            read => !Volatile.Read(ref writing) && read.Count(e => mine.Contains(Subject(e))) >= Products + statuses.Count(s => s.Status == HttpStatusCode.OK),
            TimeSpan.FromMinutes(2),
            limit: 50), Ct);

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            using var http = fixture.CreateApiClient();
            var random = new Random(client);
            for (var i = 0; i < WritesPerClient; i++)
            {
                var id = ids[random.Next(Products)];
                var patch = random.Next(3) == 0;
                using var response = patch
                    ? await http.PatchAsync($"/api/v1/products/{id}", Json(new JsonObject { ["price"] = random.Next(1, 1000) + 0.5m }, "application/merge-patch+json"), Ct)
                    : await http.PostAsync($"/api/v1/products/{id}/stock-adjustments", Json(new JsonObject { ["delta"] = random.Next(2) == 0 ? -1 : 2 }), Ct);
                statuses.Add((patch, response.StatusCode, await response.Content.ReadAsStringAsync(Ct)));
            }
        }, Ct)));
        Volatile.Write(ref writing, false);

        // Without If-Match a patch retries a lost race, but gives up (409) if the product kept changing: no event then.
        Assert.All(statuses, s => Assert.True(
            s.Status == HttpStatusCode.OK || (s.Patch && s.Status == HttpStatusCode.Conflict && s.Body.Contains("concurrent-modification", StringComparison.Ordinal)),
            $"{s.Status}: {s.Body}"));
        var expected = Products + statuses.Count(s => s.Status == HttpStatusCode.OK);
        TestContext.Current.TestOutputHelper?.WriteLine($"{statuses.Count} writes, {expected - Products} succeeded");

        var seenLive = await live.WaitAsync(TimeSpan.FromMinutes(2), Ct);

        // Gap-free: the live reader saw positions start+1, start+2, ... with none missing or repeated.
        Assert.Equal(Enumerable.Range(1, seenLive.Count).Select(i => start + i), seenLive.Select(Position));
        var ourEvents = seenLive.Where(e => mine.Contains(Subject(e))).ToList();
        Assert.Equal(expected, ourEvents.Count);
        Assert.Equal(expected, ourEvents.Select(e => e.GetProperty("id").GetString()).Distinct().Count());

        // Reading again afterwards gives the same events at the same positions.
        var again = await feed.ReadUntilAsync(start, read => read.Count >= seenLive.Count, TimeSpan.FromSeconds(30));
        Assert.Equal(seenLive.Select(e => e.GetProperty("id").GetString()), again.Take(seenLive.Count).Select(e => e.GetProperty("id").GetString()));

        //#if (events)
        // The broker delivers the same events (at least once: duplicates are dropped by id), each a
        // valid CloudEvent in structured mode, persistent, routed by its type, per product in commit order.
        var feedIds = ourEvents.Select(e => e.GetProperty("id").GetString()!).ToHashSet();
        var stopAt = DateTime.UtcNow.AddMinutes(2);
        while (!feedIds.IsSubsetOf(queue.Received.Select(d => d.Id)))
        {
            Assert.True(DateTime.UtcNow < stopAt, $"the broker delivered {feedIds.Count(id => queue.Received.Any(d => d.Id == id))} of {feedIds.Count} events");
            await Task.Delay(200, Ct);
        }

        var delivered = queue.Distinct().Where(d => mine.Contains(d.Json.GetProperty("subject").GetString()!)).ToList();
        Assert.Equal(feedIds.Order(), delivered.Select(d => d.Id).Order());
        TestContext.Current.TestOutputHelper?.WriteLine($"broker deliveries: {queue.Received.Count} ({queue.Received.Count - queue.Distinct().Count} duplicates)");
        var byId = ourEvents.ToDictionary(e => e.GetProperty("id").GetString()!);
        foreach (var delivery in delivered)
        {
            var cloudEvent = delivery.CloudEvent;
            Assert.True(cloudEvent.IsValid);
            Assert.Equal(CloudNative.CloudEvents.CloudEventsSpecVersion.V1_0, cloudEvent.SpecVersion);
            Assert.Equal("application/cloudevents+json; charset=utf-8", delivery.ContentType);
            Assert.True(delivery.Persistent);
            Assert.Equal(cloudEvent.Type, delivery.RoutingKey);
            JsonAssert.Equal(byId[delivery.Id], delivery.Json);
        }

        foreach (var id in ids)
        {
            AssertCommitOrder([.. delivered.Where(d => d.Json.GetProperty("subject").GetString() == id).Select(d => d.Json)]);
        }

        //#endif
        using var reader = fixture.CreateAnonymousClient();
        foreach (var id in ids)
        {
            var events = ourEvents.Where(e => Subject(e) == id).ToList();
            AssertCommitOrder(events);
            using var response = await reader.GetAsync($"/api/v1/products/{id}", Ct);
            var current = await response.BodyAsync();
            Assert.Equal(current.GetProperty("stockQuantity").GetInt32(), events[^1].GetProperty("data").GetProperty("stockQuantity").GetInt32());

            // The last full snapshot (created or updated) is the product as GET returns it, but for later stock changes.
            var snapshot = JsonNode.Parse(events.Last(e => Type(e) != "catalog.product.stock-changed").GetProperty("data").GetRawText())!.AsObject();
            snapshot.Remove("changed");
            var now = JsonNode.Parse(current.GetRawText())!.AsObject();
            foreach (var moving in new[] { "stockQuantity", "updatedAt" })
            {
                snapshot.Remove(moving);
                now.Remove(moving);
            }

            JsonAssert.Equal(JsonDocument.Parse(now.ToJsonString()).RootElement, JsonDocument.Parse(snapshot.ToJsonString()).RootElement);
        }
    }

    /// <summary>
    /// Every product event carries the stock level after it: in commit order each stock change
    /// moves it by its delta and every other event keeps it. A swapped pair breaks the chain.
    /// </summary>
    internal static void AssertCommitOrder(IReadOnlyList<JsonElement> events)
    {
        Assert.Equal("catalog.product.created", Type(events[0]));
        var stock = events[0].GetProperty("data").GetProperty("stockQuantity").GetInt32();
        foreach (var e in events.Skip(1))
        {
            var data = e.GetProperty("data");
            var expected = Type(e) == "catalog.product.stock-changed" ? stock + data.GetProperty("delta").GetInt32() : stock;
            Assert.True(data.GetProperty("stockQuantity").GetInt32() == expected, $"out of order at position {Position(e)}: {e.GetRawText()}");
            stock = expected;
        }
    }
}
