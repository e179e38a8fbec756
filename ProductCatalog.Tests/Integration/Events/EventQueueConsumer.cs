using System.Collections.Concurrent;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
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

    public static async Task<EventQueueConsumer> StartAsync(CatalogAppFixture fixture, CancellationToken ct)
    {
        // The fixture waits for the api, which does not wait for the broker: a local node may still be starting.
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(CatalogResourceNames.Messaging, ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        var factory = new ConnectionFactory
        {
            Uri = new Uri(await fixture.GetMessagingConnectionStringAsync()),
            AutomaticRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        };
        var connection = await factory.CreateConnectionAsync(ct);
        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var queue = $"test-catalog-events-{Guid.NewGuid():N}";

        // Declared here too (same arguments as the relay): binding needs the exchange to exist.
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(queue, Exchange, "catalog.#", cancellationToken: ct);

        var consumer = new EventQueueConsumer(connection, channel, queue);
        var handler = new AsyncEventingBasicConsumer(channel);
        handler.ReceivedAsync += (_, delivery) =>
        {
            consumer.Received.Enqueue(new Delivery(
                delivery.RoutingKey,
                delivery.BasicProperties.ContentType,
                delivery.BasicProperties.Persistent,
                delivery.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, handler, ct);
        return consumer;
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
