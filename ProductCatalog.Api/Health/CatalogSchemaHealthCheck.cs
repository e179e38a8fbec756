using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProductCatalog.Api.Health;

/// <summary>
/// Readiness: the catalog schema has every migration this build knows. On Azure Container Apps the
/// readiness probe on <c>/health</c> therefore keeps a new API revision out of traffic until the
/// migration worker of the same deployment has run. Once up to date it stays so (migrations are
/// never rolled back by the app), so later probes cost nothing; connectivity is the DbContext check's job.
/// </summary>
public sealed class CatalogSchemaHealthCheck(IServiceScopeFactory scopeFactory) : IHealthCheck
{
    public const string Name = "catalog-schema";

    private volatile bool _upToDate;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_upToDate)
        {
            return HealthCheckResult.Healthy();
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
        if (pending > 0)
        {
            return HealthCheckResult.Unhealthy($"{pending} migration(s) not applied yet");
        }

        _upToDate = true;
        return HealthCheckResult.Healthy();
    }
}

public static class CatalogSchemaHealthCheckExtensions
{
    /// <summary>Adds <see cref="CatalogSchemaHealthCheck"/> to the readiness checks behind <c>/health</c>.</summary>
    public static IHostApplicationBuilder AddCatalogSchemaHealthCheck(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CatalogSchemaHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<CatalogSchemaHealthCheck>(CatalogSchemaHealthCheck.Name);
        return builder;
    }
}
