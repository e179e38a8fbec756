using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Http;

/// <summary>Deletes idempotency records older than 24 hours, hourly. Safe on every replica at once.</summary>
internal sealed partial class IdempotencyKeyPurger(IServiceScopeFactory scopes, TimeProvider time, ILogger<IdempotencyKeyPurger> logger) : BackgroundService
{
    private static readonly TimeSpan s_interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_interval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
                var cutoff = time.GetUtcNow() - IdempotencyRecord.Lifetime;
                var deleted = await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(stoppingToken);
                LogPurged(logger, deleted);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Expired keys are also ignored when claimed, so a missed purge only costs disk.
                LogPurgeFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purged {Count} expired idempotency key(s)")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired idempotency keys failed")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
