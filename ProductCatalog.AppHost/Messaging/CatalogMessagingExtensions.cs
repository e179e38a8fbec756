using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace ProductCatalog.AppHost.Messaging;

public static class CatalogMessagingExtensions
{
    public const string SectionName = "Catalog:Messaging";

    public static BackingService Service { get; } = new(
        "RabbitMQ",
        SectionName,
        "RabbitMQ server (rabbitmq-server) with Erlang's epmd",
        "on PATH or in " + string.Join(", ", RabbitMQInstallation.DefaultBinDirectories),
        "install RabbitMQ (Debian/Ubuntu: 'apt-get install rabbitmq-server'; macOS: 'brew install rabbitmq'), "
        + $"or point {SectionName}:BinDirectory at the folder that holds rabbitmq-server.");

    /// <summary>
    /// Adds the RabbitMQ broker named <paramref name="name"/>: the Aspire container (with the
    /// management UI) where a container runtime answers, a local installation run as an executable
    /// otherwise; when publishing, the container or an external broker (see <see cref="PublishedMessaging"/>).
    /// Either way it exposes the same <c>amqp://user:password@host:port</c> connection string and
    /// a health check that passes once the broker accepts connections.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCatalogMessaging(this IDistributedApplicationBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddPublishedMessaging(name);
        }

        var options = BackingServiceOptions.From(builder.Configuration, SectionName);
        var plan = HostingPlan.Choose(
            Service,
            options.Mode,
            builder.ExecutionContext.IsPublishMode,
            () => ContainerRuntimeProbe.IsAvailable(builder.Configuration),
            () => RabbitMQInstallation.FindOnThisMachine(options.BinDirectory));

        return plan.Installation is null
            ? builder.AddContainerMessaging(name, options)
            : builder.AddLocalMessaging(name, options, plan.Installation);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddContainerMessaging(
        this IDistributedApplicationBuilder builder, string name, BackingServiceOptions options)
    {
        var broker = builder.AddRabbitMQ(name).WithManagementPlugin().WithCatalogMessagingDashboard();
        if (options.Persistent)
        {
            broker.WithDataVolume();
        }

        var image = broker.Resource.TryGetLastAnnotation<ContainerImageAnnotation>(out var annotation)
            ? $"{annotation.Image}:{annotation.Tag}"
            : "rabbitmq";
        HostingChoice.LogAtStartup(builder, name, HostingChoice.Container(image, options.Persistent));
        return broker;
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalMessaging(
        this IDistributedApplicationBuilder builder, string name, BackingServiceOptions options, RabbitMQInstallation installation)
    {
        var root = LocalDataDirectory.Resolve(options, builder.AppHostDirectory, "productcatalog-rabbitmq", "rabbitmq");
        var temporary = LocalDataDirectory.IsTemporary(options);
        var managementPort = LocalPorts.FreeLoopbackPort();
        var amqpPort = LocalPorts.FreeLoopbackPort();
        var node = new LocalRabbitMQNode(installation, root, temporary, managementPort);
        // Same name and shape as Aspire's own parameter (no special characters: it goes into a URI).
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var (command, args) = node.ServerCommand();
        var broker = new LocalRabbitMQServerResource(name, command, Path.GetDirectoryName(root)!, password);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(broker, async (_, ct) =>
            await node.PrepareAsync(await password.GetValueAsync(ct) ?? "", ct));

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, ct) =>
        {
            // The server's shell stops epmd after a clean exit, but DCP kills a broker that is slow to
            // stop (and the shell with it): so the AppHost stops it too, whenever the broker stops and
            // when the app stops.
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ProductCatalog.AppHost.Hosting");
            var lifetime = @event.Services.GetRequiredService<IHostApplicationLifetime>();
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            _ = Task.Run(() => StopEpmdWhenStoppedAsync(notifications, broker, node, logger, lifetime.ApplicationStopping), lifetime.ApplicationStopping);
            lifetime.ApplicationStopped.Register(() => node.StopEpmd(logger));
            return Task.CompletedTask;
        });
        if (temporary)
        {
            LocalDataDirectory.DeleteWhenStopped(builder, root);
        }

        HostingChoice.LogAtStartup(builder, name,
            $"{HostingChoice.Local(installation.Server, root, temporary)}, node {node.NodeName} (epmd port {node.EpmdPort}), AMQP port {amqpPort}, management port {managementPort}");

        var resource = builder.AddResource(broker)
            .WithArgs(args)
            // Not proxied: behind DCP's proxy a stopped broker still accepts TCP connections, so
            // clients hang until their timeout instead of failing fast and retrying.
            .WithEndpoint(port: amqpPort, targetPort: amqpPort, name: LocalRabbitMQServerResource.PrimaryEndpointName, scheme: "tcp", env: "RABBITMQ_NODE_PORT", isProxied: false)
            .WithHttpEndpoint(port: managementPort, targetPort: managementPort, name: LocalRabbitMQServerResource.ManagementEndpointName, isProxied: false)
            .WithCatalogMessagingDashboard()
            .WithHealthCheck(AddHealthCheck(builder, broker))
            .ExcludeFromManifest();
        foreach (var (key, value) in node.Environment)
        {
            resource.WithEnvironment(key, value);
        }

        return resource;
    }

    private static async Task StopEpmdWhenStoppedAsync(
        ResourceNotificationService notifications, LocalRabbitMQServerResource broker, LocalRabbitMQNode node, ILogger logger, CancellationToken ct)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(ct))
            {
                if (update.Resource == broker && KnownResourceStates.TerminalStates.Contains(update.Snapshot.State?.Text))
                {
                    node.StopEpmd(logger);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The app is stopping; ApplicationStopped does the last clean-up.
        }
    }

    /// <summary>
    /// "Accepting AMQP connections", checked the way Aspire checks its container: one connection,
    /// opened on the first check once the connection string exists and kept (the client reconnects
    /// it after a broker restart; until then the check fails).
    /// </summary>
    private static string AddHealthCheck(IDistributedApplicationBuilder builder, LocalRabbitMQServerResource broker)
    {
        string? connectionString = null;
        IConnection? connection = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(broker, async (_, ct) =>
            connectionString = await broker.ConnectionStringExpression.GetValueAsync(ct));

        var key = $"{broker.Name}_check";
        builder.Services.AddHealthChecks().AddRabbitMQ(async _ => connection ??= await new ConnectionFactory
        {
            Uri = new Uri(connectionString ?? throw new InvalidOperationException("Connection string is unavailable")),
        }.CreateConnectionAsync(), name: key);
        return key;
    }
}
