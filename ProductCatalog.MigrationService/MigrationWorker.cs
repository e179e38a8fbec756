using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace ProductCatalog.MigrationService;

/// <summary>
/// Brings the catalog schema up to date, optionally seeds sample data, then stops the host.
/// The AppHost starts the API only once this process has exited with code 0.
/// </summary>
internal sealed partial class MigrationWorker(
    IServiceProvider serviceProvider,
    IHostApplicationLifetime lifetime,
    IOptions<MigrationOptions> options,
    ILogger<MigrationWorker> logger) : BackgroundService
{
    public const string ActivitySourceName = "ProductCatalog.MigrationService";

    private static readonly ActivitySource s_activitySource = new(ActivitySourceName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var activity = s_activitySource.StartActivity("Migrating catalog database", ActivityKind.Internal);
        try
        {
            await using var scope = serviceProvider.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();

            await MigrateAsync(db, stoppingToken);
            if (options.Value.SeedSampleData)
            {
                await SeedAsync(db, stoppingToken);
            }

            LogCompleted(logger);

            if (options.Value.KeepRunningAfterMigration)
            {
                LogIdle(logger);
                await IdleUntilStoppedAsync(stoppingToken);
            }
        }
        catch (Exception ex)
        {
            activity?.AddException(ex);
            activity?.SetStatus(ActivityStatusCode.Error);
            LogFailed(logger, ex);
            // On .NET 10 an exception escaping a BackgroundService still lets the host exit 0,
            // which would let the API start on a broken schema: the exit code is set explicitly.
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private static async Task IdleUntilStoppedAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // The host is stopping (new revision, scale-in): a normal exit.
        }
    }

    private async Task MigrateAsync(CatalogDbContext db, CancellationToken ct)
    {
        // On a fresh database EF Core probes the history table by selecting from it, and logs the
        // expected failure as an error (a red badge in the dashboard). Creating the database and the
        // (empty) history table first, with EF Core's own idempotent script, keeps the log truthful.
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(ct))
        {
            await creator.CreateAsync(ct);
        }

        await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToArray();
        LogPending(logger, pending.Length, pending);

        // MigrateAsync takes the migrations lock and manages its own transactions, so it is run
        // under the execution strategy (retries on transient faults) but never inside our own transaction.
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(db, static (d, token) => d.Database.MigrateAsync(token), ct);
    }

    private async Task SeedAsync(CatalogDbContext db, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var seeded = await strategy.ExecuteAsync(db, static async (d, token) =>
        {
            await using var transaction = await d.Database.BeginTransactionAsync(token);
            if (await d.Products.AnyAsync(token) || await d.Categories.AnyAsync(token))
            {
                return 0;
            }

            var products = SampleData.Create(DateTimeOffset.UtcNow);
            d.Products.AddRange(products);
            await d.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return products.Count;
        }, ct);

        LogSeeded(logger, seeded);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {PendingCount} pending migration(s): {Migrations}")]
    private static partial void LogPending(ILogger logger, int pendingCount, string[] migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {ProductCount} sample product(s)")]
    private static partial void LogSeeded(ILogger logger, int productCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog database is up to date")]
    private static partial void LogCompleted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Staying idle until stopped (Catalog:KeepRunningAfterMigration)")]
    private static partial void LogIdle(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Catalog database migration failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
