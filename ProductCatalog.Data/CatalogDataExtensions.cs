using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ProductCatalog.Data;

public static class CatalogDataExtensions
{
    /// <summary>Connection string name; the AppHost's database resource has the same name.</summary>
    public const string ConnectionName = "catalogdb";

    public const string MigrationsHistoryTable = "__ef_migrations_history";

    /// <summary>
    /// Registers one <see cref="NpgsqlDataSource"/> (one connection pool) through Aspire's Npgsql
    /// integration, which adds its telemetry, and the pooled
    /// <see cref="CatalogDbContext"/> on that same data source, with brief retries on transient errors.
    /// Code that reads without EF Core (the API's key lookups) takes the data source, not a pool of its own.
    /// </summary>
    public static IHostApplicationBuilder AddCatalogData(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(ConnectionName, settings =>
        {
            settings.ConnectionString = WithPoolDefaults(settings.ConnectionString);
            // One health check per database: the context's (below) asks the same server.
            settings.DisableHealthChecks = true;
        });
        builder.Services.AddDbContextPool<CatalogDbContext>((services, options) => options
            .UseNpgsql(services.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql
                .MigrationsHistoryTable(MigrationsHistoryTable)
                // Transient faults are retried, but briefly: while the database is down a request
                // should fail fast with 503 rather than hang through a long back-off.
                .EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(1), errorCodesToAdd: null))
            // A unique or foreign-key violation, or a lost optimistic-concurrency race, is an
            // expected outcome the endpoints answer with 409/412; EF Core would log each as an
            // error. Unexpected failures are still logged as errors by the exception handler.
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Information),
                (CoreEventId.SaveChangesFailed, LogLevel.Information),
                (CoreEventId.OptimisticConcurrencyException, LogLevel.Information))));

        // Npgsql's traces and metrics already come with the data source; the context adds the health
        // check (can it reach the database through EF Core) and keeps the retries configured above.
        builder.EnrichNpgsqlDbContext<CatalogDbContext>(settings =>
        {
            settings.DisableRetry = true;
            settings.DisableTracing = true;
            settings.DisableMetrics = true;
        });
        return builder;
    }

    /// <summary>
    /// A bounded pool unless the connection string says otherwise: on a small machine more
    /// connections than a few per core only queue inside PostgreSQL, and a burst of requests must
    /// not use up the server's max_connections (100 by default) that other clients share.
    /// And Npgsql's automatic preparation: a statement used a few times on a connection is prepared
    /// there, so PostgreSQL stops parsing and planning the service's few statement shapes on every
    /// request (most of its CPU for a key lookup; measured in docs/performance.md). And the session
    /// settings of <see cref="DefaultSessionOptions"/>, unless the connection string has its own Options.
    /// </summary>
    public static string? WithPoolDefaults(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names(connectionString, "Maximum Pool Size", "MaxPoolSize"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (!Names(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!Names(connectionString, "Options"))
        {
            builder.Options = DefaultSessionOptions;
        }

        return builder.ConnectionString;
    }

    // The raw text, not the builder: the builder reports a default pool size and preparation as if set.
    private static bool Names(string connectionString, params string[] keywords) =>
        keywords.Any(keyword => connectionString.Contains(keyword, StringComparison.OrdinalIgnoreCase));

    public const int DefaultMaxPoolSize = 32;

    /// <summary>
    /// No JIT and no parallel workers in the service's sessions: its statements are bounded, but at
    /// 10 M products the planner's costs for a search pass the JIT thresholds, and compiling (369 ms,
    /// with inlining and optimization) and starting workers (25 ms) cost a rare word's search 358 ms
    /// that it runs in 1-2 ms without them (EXPLAIN ANALYZE, docs/performance.md). Under concurrent
    /// requests on a few cores neither adds throughput. A pooler that refuses startup options
    /// (PgBouncer) takes a connection string with its own, empty <c>Options=</c>.
    /// </summary>
    public const string DefaultSessionOptions = "-c jit=off -c max_parallel_workers_per_gather=0";

    /// <summary>
    /// Statements prepared per connection (least recently used ones are unprepared past it): the
    /// API sends a few dozen shapes (key lookups, listings by filter combination, writes, the outbox).
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;
}
