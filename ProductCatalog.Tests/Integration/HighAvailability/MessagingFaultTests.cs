using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.HighAvailability;

/// <summary>
/// Issue 21's fault test 3 on the fixture's 3-node RabbitMQ cluster: the node the relay publishes
/// through dies (<c>kill -9</c>) while writes keep coming.
/// </summary>
[Collection(HighAvailabilityGroup.Name)]
public sealed class MessagingFaultTests(HighAvailabilityFixture fixture)
{
    private static readonly TimeSpan s_caughtUpWithin = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Killing_the_relays_broker_node_loses_no_event_and_the_outbox_catches_up_within_15_s()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        var nodes = fixture.BrokerNodes;
        Assert.Equal(HighAvailabilityFixture.BrokerNodeCount, (await fixture.RunningBrokerNodesAsync(nodes[0], ct)).Count);

        // Bound before the first write: every event from here on is routed to it.
        await using var queue = await EventQueueConsumer.StartAsync(fixture.App, ct);
        var head = await fixture.FeedHeadAsync(ct);
        var prefix = $"MF-{Guid.NewGuid():N}"[..16].ToUpperInvariant();
        var writes = new ConcurrentBag<(HttpStatusCode Status, string? Id)>();
        using var stopWriters = new CancellationTokenSource();

        async Task WriterAsync(int writer)
        {
            using var client = fixture.CreateApiClient();
            for (var i = 0; !stopWriters.IsCancellationRequested; i++)
            {
                using var created = await client.PostAsync("/api/v1/products", ApiTestHelpers.Json(new JsonObject { ["sku"] = $"{prefix}-{writer}-{i}", ["name"] = "event load", ["price"] = 1 }), ct);
                writes.Add((created.StatusCode, created.StatusCode == HttpStatusCode.Created
                    ? JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetString()
                    : null));
                await Task.Delay(20, ct);
            }
        }

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() => WriterAsync(w), ct)).ToArray();
        var relayNode = await WaitForRelayNodeAsync(nodes[0], ct);
        await Task.Delay(1000, ct);

        var killed = Stopwatch.StartNew();
        await HighAvailabilityFixture.KillBrokerNodeAsync(relayNode, ct);
        // Read after the kill: a position given out later can only be confirmed by a node that lives.
        var atKill = await fixture.OutboxStateAsync(ct);
        var survivor = nodes.First(n => n != relayNode);

        // Publishing has resumed once a position given out after the kill is confirmed; caught up
        // once, from then on, the oldest unconfirmed event is under a second old.
        TimeSpan? resumed = null;
        TimeSpan? caughtUp = null;
        var maxLag = 0.0;
        while (killed.Elapsed < s_caughtUpWithin + TimeSpan.FromSeconds(5) && caughtUp is null)
        {
            var state = await fixture.OutboxStateAsync(ct);
            maxLag = Math.Max(maxLag, state.LagSeconds);
            if (state.PublishedThrough > atKill.SequencedThrough)
            {
                resumed ??= killed.Elapsed;
                if (state.LagSeconds < 1)
                {
                    caughtUp = killed.Elapsed;
                }
            }

            await Task.Delay(200, ct);
        }

        // A little more load on the rebuilt path, then everything written must reach the queue.
        await Task.Delay(1000, ct);
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);
        var running = await fixture.RunningBrokerNodesAsync(survivor, ct);

        var acknowledged = writes.Where(w => w.Status == HttpStatusCode.Created).Select(w => w.Id!).ToHashSet();
        using var feedClient = fixture.CreateApiClient(EventFeedReader.EventsScope);
        var events = await new EventFeedReader(feedClient).ReadUntilAsync(head, read => acknowledged.IsSubsetOf(read.Select(EventFeedReader.Subject)), TimeSpan.FromSeconds(30));
        var (delivered, eventsLost, duplicates) = await queue.AwaitDeliveryAsync(events, TimeSpan.FromSeconds(30), ct);
        var stored = await fixture.StoredNamesAsync(prefix, ct);
        var writesLost = acknowledged.Count(id => !stored.ContainsKey(Guid.Parse(id)));
        output?.WriteLine(
            $"broker node killed: {relayNode.Name} (the relay's); writes acknowledged {acknowledged.Count}, writes lost {writesLost}, "
            + $"other statuses: [{string.Join(", ", writes.Where(w => w.Status != HttpStatusCode.Created).Select(w => (int)w.Status))}]; "
            + $"events {events.Count}, delivered {delivered}, events lost {eventsLost}, duplicates {duplicates}; "
            + $"seconds unavailable {Seconds(resumed)} (kill → first event given out after it confirmed), outbox lag under 1 s again after {Seconds(caughtUp)} s (max {maxLag:F1} s); "
            + $"nodes running afterwards: {running.Count}");

        Assert.Equal(HighAvailabilityFixture.BrokerNodeCount - 1, running.Count);
        Assert.All(writes, w => Assert.Equal(HttpStatusCode.Created, w.Status));
        Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} writes");
        Assert.Equal(0, writesLost);
        Assert.Equal(0, eventsLost);
        Assert.NotNull(caughtUp);
        Assert.True(caughtUp <= s_caughtUpWithin, $"the outbox lag was under 1 s again only after {Seconds(caughtUp)} s");
    }

    /// <summary>The relay connects when it first has something to publish: the writers' first events.</summary>
    private async Task<LocalRabbitMQServerResource> WaitForRelayNodeAsync(LocalRabbitMQServerResource ask, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (await fixture.RelayNodeAsync(ask, ct) is { } node)
            {
                return node;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the relay's broker connection did not show in the management API within 30 s");
            await Task.Delay(250, ct);
        }
    }

    private static string Seconds(TimeSpan? time) => time?.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) ?? "never";
}
