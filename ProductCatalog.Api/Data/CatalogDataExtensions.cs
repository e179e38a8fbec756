using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Data;

public static class CatalogDataExtensions
{
    /// <summary>Connection string name; the AppHost's database resource has the same name.</summary>
    public const string ConnectionName = "catalogdb";

    public const string MigrationsHistoryTable = "__ef_migrations_history";

    /// <summary>
    /// Registers the pooled <see cref="CatalogDbContext"/> through Aspire's Npgsql integration,
    /// which adds retries on transient errors, a health check and telemetry.
    /// </summary>
    public static IHostApplicationBuilder AddCatalogData(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<CatalogDbContext>(
            ConnectionName,
            configureDbContextOptions: options =>
                options.UseNpgsql(npgsql => npgsql.MigrationsHistoryTable(MigrationsHistoryTable)));
        return builder;
    }
}
