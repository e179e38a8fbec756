using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;

namespace ProductCatalog.Api.Events;

/// <summary>
/// Carries outbox events to the broker: topic exchange <see cref="ChangeEventOptions.Exchange"/>,
/// routing key = event type, persistent, CloudEvents structured content mode (see docs/events.md),
/// in feed-position order, each marked published only after the broker confirmed it.
/// </summary>
/// <remarks>
/// <para>One publisher across all replicas: the replica whose dedicated connection holds a
/// session-level advisory lock publishes; the others retry the lock now and then and take over
/// within a second or so if it dies (PostgreSQL drops the lock with the connection). The
/// published watermark is written on that same connection, so a publisher that lost its
/// connection (and the lock) cannot write it any more.</para>
/// <para>Order: one channel, publishes issued one after another without a rate limiter, so the
/// client sends them (and the broker routes them) in position order; the batch's confirmations are
/// awaited together. A failure republishes the batch from its first event: at least once, and a
/// consumer that drops ids it has seen still sees each product's events in order.</para>
/// <para>The broker being down never affects writes: they only touch the outbox. The connection
/// is made lazily here, retried with back-off for as long as it takes.</para>
/// </remarks>
public sealed partial class ChangeEventRelay(
    IServiceProvider services,
    IConfiguration configuration,
    ChangeEventSequencer sequencer,
    ChangeEventPurger purger,
    WaitForCatalogChange waitForChange,
    IOptions<ChangeEventOptions> options,
    CatalogMetrics metrics,
    TimeProvider time,
    ILogger<ChangeEventRelay> logger) : BackgroundService
{
    public const string ActivitySourceName = "ProductCatalog.Api.Events";

    /// <summary>The broker connection's client-provided name, as the management UI lists it.</summary>
    public const string BrokerConnectionName = "ProductCatalog.Api.Relay";

    /// <summary>The publisher's advisory lock: "catalog" as ASCII, an arbitrary but fixed key.</summary>
    public const long PublisherLockKey = 0x636174616c6f67;

    private static readonly ActivitySource s_activitySource = new(ActivitySourceName);
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(200);
    private readonly ChangeEventOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var relay = _options.RelayEnabled && !string.IsNullOrEmpty(configuration.GetConnectionString(ChangeEventOptions.BrokerConnectionName));
        if (!relay)
        {
            // The feed is then the only way out; the outbox still has to be purged by someone.
            LogRelayOff(logger);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(CatalogDataExtensions.ConnectionName))
        {
            ApplicationName = "ProductCatalog.Api.Relay",
            // A dedicated session: the advisory lock lives and dies with exactly this connection.
            Pooling = false,
        }.ConnectionString;

        var retry = s_firstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var database = new NpgsqlConnection(connectionString);
                await database.OpenAsync(stoppingToken);
                while (!await TryBecomePublisherAsync(database, stoppingToken))
                {
                    metrics.OutboxLagUnknown();
                    await Task.Delay(_options.IdlePoll, time, stoppingToken);
                }

                retry = s_firstRetry;
                if (relay)
                {
                    LogPublisher(logger);
                    await PublishAsync(database, stoppingToken);
                }
                else
                {
                    await PurgeOnlyAsync(database, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database went away (the broker's failures are handled inside): start over.
                metrics.OutboxLagUnknown();
                LogDatabaseLost(logger, ex, retry.TotalSeconds);
                await Task.Delay(retry, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                retry = Next(retry);
            }
        }
    }

    private static async Task<bool> TryBecomePublisherAsync(NpgsqlConnection database, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", database) { Parameters = { new() { Value = PublisherLockKey } } };
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Publishes until the database connection fails (thrown) or the host stops.</summary>
    private async Task PublishAsync(NpgsqlConnection database, CancellationToken ct)
    {
        BrokerChannel? channel = null;
        using var encoder = new CloudEventEncoder();
        var retry = s_firstRetry;
        try
        {
            while (true)
            {
                var changed = waitForChange(ct);
                var state = await sequencer.SequenceAsync(database, ct);
                await purger.PurgeIfDueAsync(database, state.PublishedThrough, ct);
                var batch = await OutboxEvents.ReadAsync(database, state.PublishedThrough, _options.PublishBatchSize, type: null, ct);
                metrics.OutboxOldestUnpublished(batch.Count > 0 ? batch[0].Time : null);
                if (batch.Count == 0)
                {
                    await Task.WhenAny(changed, Task.Delay(_options.IdlePoll, time, ct));
                    ct.ThrowIfCancellationRequested();
                    continue;
                }

                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(_options.PublishTimeout);
                    channel ??= await OpenChannelAsync(timeout.Token);
                    await PublishBatchAsync(channel, encoder, batch, timeout.Token);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    metrics.EventsPublishFailed(batch.Count);
                    LogPublishFailed(logger, ex, batch.Count, batch[0].Position!.Value, retry.TotalSeconds);
                    await DiscardAsync(channel);
                    channel = null;

                    await Task.Delay(retry, time, ct);
                    retry = Next(retry);
                    continue;
                }

                retry = s_firstRetry;
                await MarkPublishedAsync(database, batch[^1].Position!.Value, ct);
                metrics.EventsPublished(batch.Count);
            }
        }
        finally
        {
            await DiscardAsync(channel);
        }
    }

    /// <summary>A failed channel is replaced; closing it may fail too (its connection is gone), which changes nothing.</summary>
    private async Task DiscardAsync(BrokerChannel? channel)
    {
        if (channel is null)
        {
            return;
        }

        try
        {
            await channel.Channel.DisposeAsync().AsTask().WaitAsync(_options.PublishTimeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogChannelDiscardFailed(logger, ex);
        }
    }

    private async Task<BrokerChannel> OpenChannelAsync(CancellationToken ct)
    {
        // Resolved here, not at startup: the Aspire client connects (blocking) when IConnection is
        // first resolved, and throws while the broker is down; a failed resolution is retried.
        var connection = await Task.Run(services.GetRequiredService<IConnection>, ct);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(
                publisherConfirmationsEnabled: true,
                // Confirms are tracked per batch by PublisherConfirms, not per message by the client.
                publisherConfirmationTrackingEnabled: false),
            ct);
        try
        {
            var confirms = PublisherConfirms.Attach(channel);
            await channel.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
            return new BrokerChannel(channel, confirms, new CachedString(_options.Exchange));
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    private async Task PublishBatchAsync(BrokerChannel broker, CloudEventEncoder encoder, List<CatalogEvent> batch, CancellationToken ct)
    {
        var channel = broker.Channel;
        // Only this loop publishes on the channel, one message after another: the batch's sequence
        // numbers are the next batch.Count ones.
        var confirmed = broker.Confirms.Expect(await channel.GetNextPublishSequenceNumberAsync(ct), batch.Count);
        // One set of properties for the whole batch: each publish serializes them (and copies the
        // body) into its frames before it completes, and each is awaited before the next.
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = CloudEventEncoder.ContentType,
            AppId = "productcatalog-api",
        };
        for (var start = 0; start < batch.Count;)
        {
            // One producer span per write: consecutive events in one trace context are one write's
            // (a batch import's 1000 items would otherwise add 1000 spans to its trace).
            var end = start + 1;
            while (end < batch.Count && batch[start].TraceParent is { } traceParent && batch[end].TraceParent == traceParent)
            {
                end++;
            }

            using var activity = StartPublishActivity(batch, start, end);
            for (var i = start; i < end; i++)
            {
                var e = batch[i];
                properties.MessageId = e.Id.ToString();
                properties.Type = e.Type;
                properties.Timestamp = new AmqpTimestamp(e.Time.ToUnixTimeSeconds());
                // Without tracking this completes once the message is queued for the socket (no
                // waiting for its confirm), so the client's writer sends what queued meanwhile in
                // one write and one flush.
                await channel.BasicPublishAsync(broker.Exchange, broker.RoutingKey(e.Type), mandatory: false, properties, encoder.Encode(e), ct);
            }

            start = end;
        }

        await confirmed.WaitAsync(ct);
    }

    /// <summary>The publish of events [start, end) of one write, continuing the write's trace.</summary>
    private Activity? StartPublishActivity(List<CatalogEvent> batch, int start, int end)
    {
        var first = batch[start];
        ActivityContext.TryParse(first.TraceParent, null, isRemote: true, out var parent);
        var activity = s_activitySource.StartActivity($"{_options.Exchange} publish", ActivityKind.Producer, parent);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag("messaging.system", "rabbitmq");
        activity.SetTag("messaging.destination.name", _options.Exchange);
        if (batch.GetRange(start, end - start).TrueForAll(e => e.Type == first.Type))
        {
            activity.SetTag("messaging.rabbitmq.destination.routing_key", first.Type);
        }

        if (end - start == 1)
        {
            activity.SetTag("messaging.message.id", first.Id.ToString());
            activity.SetTag("cloudevents.event_subject", first.Subject);
        }
        else
        {
            activity.SetTag("messaging.batch.message_count", end - start);
        }

        return activity;
    }

    internal const string MarkPublishedSql = $"UPDATE {CatalogTables.EventFeed} SET published_through = GREATEST(published_through, $1) WHERE id = 1";

    private static async Task MarkPublishedAsync(NpgsqlConnection database, long through, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(MarkPublishedSql, database)
        {
            Parameters = { new() { Value = through } },
        };
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Without a relay: numbers and purges now and then, on the lock holder's connection, until it fails.</summary>
    private async Task PurgeOnlyAsync(NpgsqlConnection database, CancellationToken ct)
    {
        while (true)
        {
            var state = await sequencer.SequenceAsync(database, ct);
            await purger.PurgeIfDueAsync(database, state.SequencedThrough, ct);
            await Task.Delay(_options.PurgeInterval, time, ct);
        }
    }

    private TimeSpan Next(TimeSpan retry) => TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.MaxRetryDelay.Ticks));

    /// <summary>A publishing channel with its confirmations and the names it publishes to, encoded once.</summary>
    private sealed class BrokerChannel(IChannel channel, PublisherConfirms confirms, CachedString exchange)
    {
        private readonly Dictionary<string, CachedString> _routingKeys = new(StringComparer.Ordinal);

        public IChannel Channel { get; } = channel;

        public PublisherConfirms Confirms { get; } = confirms;

        public CachedString Exchange { get; } = exchange;

        /// <summary>The routing key is the event type, one of a handful.</summary>
        public CachedString RoutingKey(string type)
        {
            if (!_routingKeys.TryGetValue(type, out var key))
            {
                key = new CachedString(type);
                _routingKeys.Add(type, key);
            }

            return key;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Change event relay is off (Catalog:Events:RelayEnabled is false or there is no 'messaging' connection string); the outbox and the feed still work, and this service purges the outbox")]
    private static partial void LogRelayOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "This replica now publishes change events to the broker")]
    private static partial void LogPublisher(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} change events from position {Position} failed; retrying in {RetrySeconds} s")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count, long position, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change event relay lost its database connection; retrying in {RetrySeconds} s")]
    private static partial void LogDatabaseLost(ILogger logger, Exception exception, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing a failed broker channel failed too")]
    private static partial void LogChannelDiscardFailed(ILogger logger, Exception exception);
}
