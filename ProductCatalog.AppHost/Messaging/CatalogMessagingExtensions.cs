using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
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
    public static IResourceBuilder<IResourceWithConnectionString> AddCatalogMessaging(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddBackingService(
            Service,
            RabbitMQInstallation.FindOnThisMachine,
            published: () => builder.AddPublishedMessaging(name),
            container: options =>
            {
                var broker = builder.AddRabbitMQ(name).WithManagementPlugin().WithCatalogMessagingDashboard();
                if (options.Persistent)
                {
                    broker.WithDataVolume();
                }

                BackingServiceHosting.LogContainerChoice(builder, broker.Resource, options.Persistent);
                return broker;
            },
            local: (options, installation) => builder.AddLocalMessaging(name, options, installation));

    private static IResourceBuilder<LocalRabbitMQServerResource> AddLocalMessaging(
        this IDistributedApplicationBuilder builder, string name, BackingServiceOptions options, RabbitMQInstallation installation)
    {
        var root = LocalDataDirectory.Resolve(options, builder.AppHostDirectory, "productcatalog-rabbitmq", "rabbitmq");
        var runDirectory = Path.GetDirectoryName(root)!;
        var managementPort = LocalServerHosting.FreeLoopbackPort();
        var epmdPort = LocalServerHosting.FreeLoopbackPort();
        var node = new LocalRabbitMQNode(name, installation, root, LocalDataDirectory.IsTemporary(options), managementPort, epmdPort);
        // Same name and shape as Aspire's own parameter (no special characters: it goes into a URI).
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var launcher = ServerLauncher.PathFor(runDirectory, installation.Server);
        var broker = new LocalRabbitMQServerResource(name, launcher, runDirectory, password);

        var epmd = builder.AddResource(new LocalEpmdResource($"{name}-epmd", installation.Epmd, runDirectory))
            .WithArgs("-port", epmdPort.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1")
            .WithIconName("PlugConnected")
            .ExcludeFromManifest()
            // DCP refuses to start an executable whose working directory is missing, and epmd starts
            // before the broker's own preparation would create it (CI saw FailedToStart).
            .OnBeforeResourceStarted((_, _, _) =>
            {
                Directory.CreateDirectory(runDirectory);
                return Task.CompletedTask;
            });

        var resource = builder.AddLocalServer(broker, node.Launch(launcher, builder), LocalServerHosting.FreeLoopbackPort(), "Mailbox")
            .WithHttpEndpoint(port: managementPort, targetPort: managementPort, name: LocalRabbitMQServerResource.ManagementEndpointName, isProxied: false)
            .WithCatalogMessagingDashboard()
            .WithHealthCheck(AddHealthCheck(builder, broker))
            .WaitForStart(epmd);
        // Shown under the broker; not an IResourceWithParent, which would make the broker wait for itself.
        epmd.WithParentRelationship(resource);
        foreach (var (key, value) in node.Environment)
        {
            resource.WithEnvironment(key, value);
        }

        return resource;
    }

    /// <summary>
    /// "Accepting AMQP connections", checked the way Aspire checks its container: one connection,
    /// opened on the first check once the connection string exists and kept (the client reconnects
    /// it after a broker restart; until then the check fails).
    /// </summary>
    private static string AddHealthCheck(IDistributedApplicationBuilder builder, LocalRabbitMQServerResource broker)
    {
        IConnection? connection = null;
        var key = $"{broker.Name}_check";
        builder.Services.AddHealthChecks().AddRabbitMQ(async _ => connection ??= await new ConnectionFactory
        {
            Uri = new Uri(broker.ConnectionString),
        }.CreateConnectionAsync(), name: key);
        return key;
    }
}
