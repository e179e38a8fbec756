using OpenTelemetry.Trace;
using RabbitMQ.Client;

namespace ProductCatalog.Api.Events;

public static class CatalogEventsExtensions
{
    /// <summary>
    /// The outbox writer, the feed's sequencer and the relay to the broker (when the app has a
    /// <c>messaging</c> connection string). With <c>Catalog:Events:Enabled=false</c>, only the
    /// recorder, which then records nothing.
    /// </summary>
    public static IHostApplicationBuilder AddCatalogEvents(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ChangeEventOptions>().BindConfiguration(ChangeEventOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ChangeEventRecorder>();
        if (!builder.Configuration.GetValue(ChangeEventOptions.SectionName + ":" + nameof(ChangeEventOptions.Enabled), true))
        {
            return builder;
        }

        services.AddSingleton<ChangeEventSequencer>();
        services.AddSingleton<ChangeEventPurger>();

        // Feed readers and the relay wake on the same commit signal that evicts cache entries.
        if (!services.Any(d => d.ServiceType == typeof(CatalogChangeNotifications)))
        {
            services.AddCatalogChangeNotifications();
        }

        services.AddSingleton<WaitForCatalogChange>(sp => sp.GetRequiredService<CatalogChangeNotifications>().WaitForNextAsync);

        if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString(ChangeEventOptions.BrokerConnectionName)))
        {
            builder.AddRabbitMQClient(ChangeEventOptions.BrokerConnectionName, settings =>
            {
                // The broker is not needed to serve the catalog: writes go to the outbox. Its health
                // check would take healthy replicas out of rotation while it is down, and the
                // client's blocking connect retries would hold up the relay; the relay retries itself.
                settings.DisableHealthChecks = true;
                settings.MaxConnectRetryCount = 0;
                // The relay's own producer span (one per write's events) is the publish in the write's trace; the
                // client's second span (and the AMQP headers it injects) was about a seventh of the
                // publish loop's CPU in a profile and told nothing more. Consumers continue the trace
                // from the CloudEvent's traceparent.
                settings.DisableTracing = true;
            },
            factory =>
            {
                // Reconnects soon after the broker is back (the default waits 5 s between attempts).
                factory.NetworkRecoveryInterval = TimeSpan.FromSeconds(1);
                // The relay's connection, by name in the broker's connection list.
                factory.ClientProvidedName = ChangeEventRelay.BrokerConnectionName;
                if (builder.Configuration[$"{ChangeEventOptions.SectionName}:{nameof(ChangeEventOptions.BrokerEndpoints)}"] is { Length: > 0 } nodes)
                {
                    // The client's own resolver tries the nodes in random order, on the first
                    // connection and on every recovery, so a lost node is replaced by a live one.
                    var endpoints = AmqpTcpEndpoint.ParseMultiple(nodes);
                    factory.EndpointResolverFactory = _ => new DefaultEndpointResolver(endpoints);
                }
            });
        }

        services.AddHostedService<ChangeEventRelay>();
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(ChangeEventRelay.ActivitySourceName));
        return builder;
    }
}
