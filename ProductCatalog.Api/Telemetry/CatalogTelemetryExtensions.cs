using OpenTelemetry.Metrics;

namespace ProductCatalog.Api.Telemetry;

public static class CatalogTelemetryExtensions
{
    /// <summary>
    /// Registers <see cref="CatalogMetrics"/> and makes sure its meter is exported, whatever
    /// the service defaults already collect.
    /// </summary>
    public static IHostApplicationBuilder AddCatalogTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<CatalogMetrics>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(CatalogMetrics.MeterName));
        return builder;
    }

    /// <summary>
    /// Counts the outcome of every catalog write and times product listings. Call it before
    /// <c>UseCatalogApi</c> (the exception handler), so errors are counted with their final status.
    /// </summary>
    public static WebApplication UseCatalogMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<CatalogMetricsMiddleware>();
        return app;
    }
}
