using Npgsql;

namespace ProductCatalog.Api.Changes;

/// <summary>
/// This process's subscription to the database's change announcements: ONE dedicated connection
/// doing <c>LISTEN catalog_changes</c> (see <see cref="CatalogChangeChannel"/>), re-established
/// with back-off whenever it is lost. Only committed changes are announced (NOTIFY is delivered
/// on commit), in commit order, to every replica alike.
/// </summary>
/// <remarks>
/// Consumers either implement <see cref="ICatalogChangeSubscriber"/> (told about each change) or
/// wait with <see cref="WaitForNextAsync"/> (woken by the next one). A consumer that must not miss
/// a change checks <see cref="IsSubscribed"/>: while it is false, changes go unannounced.
/// </remarks>
public sealed partial class CatalogChangeNotifications(
    IConfiguration configuration,
    IEnumerable<ICatalogChangeSubscriber> subscribers,
    TimeProvider time,
    ILogger<CatalogChangeNotifications> logger) : BackgroundService
{
    /// <summary>The listening connection's application_name (visible in pg_stat_activity).</summary>
    public const string ApplicationName = "ProductCatalog.Api.Changes";

    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_lastRetry = TimeSpan.FromSeconds(5);

    private readonly ICatalogChangeSubscriber[] _subscribers = [.. subscribers];
    private TaskCompletionSource _next = NewSignal();
    private volatile bool _subscribed;
    private long _received;

    /// <summary>True while the LISTEN connection is up: every committed change will be announced.</summary>
    public bool IsSubscribed => _subscribed;

    /// <summary>Changes announced to this process so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>
    /// Completes when the next change is announced, or when the subscription is (re)established
    /// (changes may have gone unannounced before it: re-read whatever you watch).
    /// </summary>
    public Task WaitForNextAsync(CancellationToken ct) => Volatile.Read(ref _next).Task.WaitAsync(ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = ListenerConnectionString(configuration.GetConnectionString(CatalogDataExtensions.ConnectionName));
        var retry = s_firstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) => Announce(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {CatalogChangeChannel.Name}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                MarkSubscribed();
                retry = s_firstRetry;
                while (true)
                {
                    // Returns on each notification (already handled by Announce) or throws when the
                    // connection breaks; Keepalive makes a silently dead peer break it too.
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (_subscribed)
                {
                    LogLost(logger, ex);
                }
                else
                {
                    LogSubscribeFailed(logger, retry.TotalMilliseconds, ex.Message);
                }
            }
            finally
            {
                MarkUnsubscribed();
            }

            try
            {
                await Task.Delay(retry, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, s_lastRetry.Ticks));
        }
    }

    /// <summary>
    /// Its own physical connection (never a pooled one that a request could get), kept alive so a
    /// dead peer is noticed within seconds rather than at the next TCP timeout.
    /// </summary>
    internal static string ListenerConnectionString(string? connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString
            ?? throw new InvalidOperationException($"No connection string '{CatalogDataExtensions.ConnectionName}'."))
        {
            Pooling = false,
            Enlist = false,
            KeepAlive = 5,
            ApplicationName = ApplicationName,
        };
        return builder.ConnectionString;
    }

    private void Announce(string payload)
    {
        Interlocked.Increment(ref _received);
        if (CatalogChange.Parse(payload) is { } changes)
        {
            foreach (var change in changes)
            {
                foreach (var subscriber in _subscribers)
                {
                    try
                    {
                        subscriber.OnChange(change);
                    }
                    catch (Exception ex)
                    {
                        LogSubscriberFailed(logger, subscriber.GetType().Name, ex);
                    }
                }
            }
        }
        else
        {
            LogUnreadable(logger, payload.Length > 200 ? payload[..200] : payload);
        }

        Signal();
    }

    private void MarkSubscribed()
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.OnSubscribed();
        }

        _subscribed = true;
        LogSubscribed(logger, CatalogChangeChannel.Name);
        Signal();
    }

    private void MarkUnsubscribed()
    {
        if (!_subscribed)
        {
            return;
        }

        _subscribed = false;
        foreach (var subscriber in _subscribers)
        {
            subscriber.OnUnsubscribed();
        }
    }

    private void Signal() => Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for catalog changes on channel {Channel}")]
    private static partial void LogSubscribed(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the catalog change subscription; cached reads are off until it is back")]
    private static partial void LogLost(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to catalog changes failed ({Reason}); retrying in {RetryMilliseconds} ms")]
    private static partial void LogSubscribeFailed(ILogger logger, double retryMilliseconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Catalog change subscriber {Subscriber} failed")]
    private static partial void LogSubscriberFailed(ILogger logger, string subscriber, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unreadable catalog change notification: {Payload}")]
    private static partial void LogUnreadable(ILogger logger, string payload);
}
