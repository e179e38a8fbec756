using OpenTelemetry.Trace;

namespace ProductCatalog.Api.Events;

public static class CatalogEventsExtensions
{
    /// <summary>How often a feed reader re-reads while no change notification can wake it.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The outbox writer, the feed's sequencer and the relay to the broker (when the app has a
    /// <c>messaging</c> connection string).
    /// </summary>
    public static IHostApplicationBuilder AddCatalogEvents(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<ChangeEventOptions>(builder.Configuration.GetSection(ChangeEventOptions.SectionName));
        services.AddSingleton<ChangeEventRecorder>();
        services.AddSingleton<ChangeEventSequencer>();
        services.AddSingleton<WaitForCatalogChange>(_ => ct => Task.Delay(PollInterval, ct));

        if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString(ChangeEventOptions.BrokerConnectionName)))
        {
            builder.AddRabbitMQClient(ChangeEventOptions.BrokerConnectionName, settings =>
            {
                // The broker is not needed to serve the catalog: writes go to the outbox. Its health
                // check would take healthy replicas out of rotation while it is down, and the
                // client's blocking connect retries would hold up the relay; the relay retries itself.
                settings.DisableHealthChecks = true;
                settings.MaxConnectRetryCount = 0;
            });
        }

        services.AddHostedService<ChangeEventRelay>();
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(ChangeEventRelay.ActivitySourceName));
        return builder;
    }
}
