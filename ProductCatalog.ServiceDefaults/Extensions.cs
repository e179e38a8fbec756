using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every ProductCatalog process shares: telemetry, health checks, service discovery and
/// HttpClient resilience. Lives in the Microsoft.Extensions.Hosting namespace so that
/// <c>builder.AddServiceDefaults()</c> needs no extra using, as in the Aspire templates.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Health checks with this tag decide liveness; all others only readiness.</summary>
    public const string LiveTag = "live";

    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Set to <c>true</c> (environment: <c>OpenTelemetry__Console=true</c>) to print spans and
    /// metrics to the console as well, for a run without the dashboard or a collector.
    /// </summary>
    public const string ConsoleExporterKey = "OpenTelemetry:Console";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                // A service's own meter is named after it (ProductCatalog.Api's CatalogMetrics).
                .AddMeter(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes would drown the traces that matter.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        // The AppHost sets OTEL_EXPORTER_OTLP_ENDPOINT to the dashboard; any collector works the same way
        // (OTEL_EXPORTER_OTLP_PROTOCOL=grpc or http/protobuf, OTEL_EXPORTER_OTLP_HEADERS for a key).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        builder.Services.AddHostedService<TelemetryFlushOnStop>();

        // Without any collector: spans and metrics printed to the console next to the logs.
        if (builder.Configuration.GetValue<bool>(ConsoleExporterKey))
        {
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddConsoleExporter())
                .WithMetrics(metrics => metrics.AddConsoleExporter());
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        // A probe that hangs is worse than one that fails: bound every check, including the
        // ones integrations (Npgsql, EF Core) register without a timeout.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                if (registration.Timeout == Timeout.InfiniteTimeSpan || registration.Timeout > HealthCheckTimeout)
                {
                    registration.Timeout = HealthCheckTimeout;
                }
            }
        });

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (ready: every check) and <c>/alive</c> (live: only checks tagged "live").
    /// Both are mapped in every environment because the orchestrators (Aspire, Container Apps)
    /// probe them; they disclose only a status word, never check details.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).DisableHttpMetrics();

        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        }).DisableHttpMetrics();

        return app;
    }
}
