using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Security;

/// <summary>
/// How many API replicas are running now, as PostgreSQL sees them: each replica holds exactly
/// one change-listening connection (<see cref="CatalogChangeNotifications.ApplicationName"/>),
/// so counting those connections counts the replicas, with no server of our own. Re-counted
/// every <see cref="Interval"/>, so it follows Container Apps scaling between 2 and 10 replicas.
/// </summary>
public sealed partial class LiveReplicas(IServiceScopeFactory scopes, TimeProvider time, ILogger<LiveReplicas> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private volatile int _count = 1;

    /// <summary>At least 1 (this replica), also before the first count or while the database is unreachable.</summary>
    public int Count => _count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Every second at first, while replicas start (the first count may predate the others'
        // subscriptions), then every Interval.
        var started = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
                var listeners = await db.Database.SqlQuery<long>(
                    $"""
                    SELECT count(*) AS "Value" FROM pg_stat_activity
                    WHERE application_name = {CatalogChangeNotifications.ApplicationName} AND datname = current_database()
                    """).SingleAsync(stoppingToken);
                var count = (int)Math.Clamp(listeners, 1, 1000);
                if (count != _count)
                {
                    LogChanged(logger, _count, count);
                    _count = count;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep the last count: the database being away is no reason to change budgets.
                LogCountFailed(logger, ex.Message);
            }

            var interval = time.GetElapsedTime(started) < TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(1) : Interval;
            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API replicas: {Previous} -> {Current}; each replica's share of the write rate limit follows")]
    private static partial void LogChanged(ILogger logger, int previous, int current);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Counting API replicas failed: {Reason}")]
    private static partial void LogCountFailed(ILogger logger, string reason);
}
