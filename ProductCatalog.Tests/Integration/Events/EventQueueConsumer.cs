using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>
/// A consumer as another service would run one: its own durable queue bound to the topic
/// exchange <c>catalog.events</c> for every routing key, recovering automatically when the broker
/// restarts. Records every delivery in arrival order.
/// </summary>
internal sealed class EventQueueConsumer : IAsyncDisposable
{
    public const string Exchange = "catalog.events";

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;

    private EventQueueConsumer(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
    }

    public ConcurrentQueue<Delivery> Received { get; } = new();

    public static Task<EventQueueConsumer> StartAsync(CatalogAppFixture fixture, CancellationToken ct) => StartAsync(fixture.App, ct);

    /// <summary>
    /// Connects to the app's broker (every node of a local cluster, in the client's random order, as
    /// the api does), declares its quorum queue and binds it before returning: events published
    /// from then on reach it.
    /// </summary>
    public static async Task<EventQueueConsumer> StartAsync(DistributedApplication app, CancellationToken ct)
    {
        // The fixture waits for the api, which does not wait for the broker: a local node may still be starting.
        await AnyNodeHealthyAsync(app, ct);
        var factory = new ConnectionFactory
        {
            Uri = new Uri(await app.GetConnectionStringAsync(CatalogResourceNames.Messaging, ct) ?? throw new InvalidOperationException("No connection string for messaging.")),
            AutomaticRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
            ClientProvidedName = ClientName,
        };
        var nodes = await BrokerNodesAsync(app, ct);
        var connection = nodes.Count > 1 ? await factory.CreateConnectionAsync(nodes, ct) : await factory.CreateConnectionAsync(ct);
        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var queue = $"test-catalog-events-{Guid.NewGuid():N}";

        // Declared here too (same arguments as the relay): binding needs the exchange to exist.
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
        // A quorum queue, as docs/events.md tells consumers: replicated to every node of a cluster.
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
        await channel.QueueBindAsync(queue, Exchange, "catalog.#", cancellationToken: ct);

        var consumer = new EventQueueConsumer(connection, channel, queue);
        var handler = new AsyncEventingBasicConsumer(channel);
        handler.ReceivedAsync += async (_, delivery) =>
        {
            consumer.Received.Enqueue(new Delivery(
                delivery.RoutingKey,
                delivery.BasicProperties.ContentType,
                delivery.BasicProperties.Persistent,
                delivery.Body.ToArray()));
            // Acknowledged once recorded: what was delivered but not acknowledged when a node
            // went away is delivered again (counted as a duplicate), never lost.
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, handler, ct);
        return consumer;
    }

    /// <summary>The consumer connection's name in the broker's connection list.</summary>
    public const string ClientName = "ProductCatalog.Tests.EventQueueConsumer";

    /// <summary>
    /// Returns once one broker node is healthy. On a cluster that is any node: a fault test may
    /// have killed one for good (the first, <c>messaging</c>, included) before this consumer starts.
    /// </summary>
    private static async Task AnyNodeHealthyAsync(DistributedApplication app, CancellationToken ct)
    {
        var names = LocalNodes(app).Select(n => n.Name).ToList();
        var waits = (names.Count == 0 ? [CatalogResourceNames.Messaging] : names)
            .Select(name => app.ResourceNotifications.WaitForResourceHealthyAsync(name, ct).WaitAsync(TimeSpan.FromMinutes(2), ct))
            .ToList<Task>();
        var failures = new List<Exception>();
        while (waits.Count > 0)
        {
            var done = await Task.WhenAny(waits);
            if (done.IsCompletedSuccessfully)
            {
                return;
            }

            failures.Add(done.Exception?.InnerException ?? new OperationCanceledException(ct));
            waits.Remove(done);
        }

        throw new AggregateException("No broker node became healthy.", failures);
    }

    /// <summary>The app's local broker nodes (none when the broker is a container).</summary>
    private static IEnumerable<LocalRabbitMQServerResource> LocalNodes(DistributedApplication app) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<LocalRabbitMQServerResource>();

    /// <summary>Every local broker node's AMQP endpoint (one for a single node or a container).</summary>
    private static async Task<List<AmqpTcpEndpoint>> BrokerNodesAsync(DistributedApplication app, CancellationToken ct)
    {
        var endpoints = new List<AmqpTcpEndpoint>();
        foreach (var node in LocalNodes(app))
        {
            var uri = new Uri(await app.GetConnectionStringAsync(node.Name, ct) ?? throw new InvalidOperationException($"No connection string for {node.Name}."));
            endpoints.Add(new AmqpTcpEndpoint(uri.Host, uri.Port));
        }

        return endpoints;
    }

    /// <summary>
    /// Waits (up to <paramref name="bound"/>) until every one of the events has been delivered, and
    /// counts the deliveries, the events never delivered and the deliveries beyond each event's first.
    /// </summary>
    public async Task<(int Deliveries, int Lost, int Duplicates)> AwaitDeliveryAsync(IEnumerable<JsonElement> events, TimeSpan bound, CancellationToken ct)
    {
        var ids = events.Select(e => e.GetProperty("id").GetString()!).ToHashSet();
        var waited = Stopwatch.StartNew();
        while (!ids.IsSubsetOf(Received.Select(d => d.Id)) && waited.Elapsed < bound)
        {
            await Task.Delay(200, ct);
        }

        var received = Received.Select(d => d.Id).ToList();
        return (received.Count, ids.Count(id => !received.Contains(id)), received.Count - received.Distinct().Count());
    }

    /// <summary>The deliveries so far, each decoded once; duplicates (same id) dropped, first arrival kept.</summary>
    public List<Delivery> Distinct() => [.. Received.DistinctBy(d => d.Id)];

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.QueueDeleteAsync(_queue);
        }
        finally
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}

internal sealed record Delivery(string RoutingKey, string? ContentType, bool Persistent, byte[] Body)
{
    private static readonly JsonEventFormatter s_formatter = new();

    /// <summary>The message as a CloudEvent, parsed and validated by the CloudEvents SDK (structured content mode).</summary>
    public CloudEvent CloudEvent => s_formatter.DecodeStructuredModeMessage(Body, new System.Net.Mime.ContentType(ContentType!), extensionAttributes: null);

    /// <summary>The same event as plain JSON, shaped like a feed item.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Id => Json.GetProperty("id").GetString()!;
}
