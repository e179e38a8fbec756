using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace ProductCatalog.AppHost.Messaging;

public static class CatalogMessagingExtensions
{
    public const string SectionName = "Catalog:Messaging";

    /// <summary>How many RabbitMQ nodes a local broker runs as one cluster (1: one node, as a plain run).</summary>
    public const string NodesKey = SectionName + ":Nodes";

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
        var nodes = builder.Configuration.GetValue(NodesKey, 1);
        if (nodes is < 1 or > 5)
        {
            throw new CatalogSetupException($"{NodesKey} is {nodes}; use 1 (one node) to 5.");
        }

        // A cluster's members remember each other: a kept node booting without the rest waits
        // minutes for them, so a local cluster (a failover test rig) always starts empty.
        var temporary = nodes > 1 || LocalDataDirectory.IsTemporary(options);
        var root = nodes > 1
            ? LocalDataDirectory.NewTemporaryPath("productcatalog-rabbitmq", "rabbitmq")
            : LocalDataDirectory.Resolve(options, builder.AppHostDirectory, "productcatalog-rabbitmq", "rabbitmq");
        var runDirectory = Path.GetDirectoryName(root)!;
        var epmdPort = LocalServerHosting.FreeLoopbackPort();
        // Same name and shape as Aspire's own parameter (no special characters: it goes into a URI).
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var cookie = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

        // Healthy once it listens: a node that boots before that starts an epmd daemon of its own,
        // which outlives the app (CI found one left behind). A hand-written TCP check because
        // AspNetCore.HealthChecks.Network, which has one, is not a served package.
        var epmdCheck = $"{name}-epmd_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(epmdCheck, async ct =>
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, epmdPort, ct);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException ex)
            {
                return HealthCheckResult.Unhealthy($"epmd is not listening on port {epmdPort}", ex);
            }
        });
        var epmd = builder.AddResource(new LocalEpmdResource($"{name}-epmd", installation.Epmd, runDirectory, epmdPort))
            .WithArgs("-port", epmdPort.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1")
            .WithHealthCheck(epmdCheck)
            .WithIconName("PlugConnected")
            .ExcludeFromManifest()
            // DCP refuses to start an executable whose working directory is missing, and epmd starts
            // before the broker's own preparation would create it (CI saw FailedToStart).
            .OnBeforeResourceStarted((_, _, _) =>
            {
                Directory.CreateDirectory(runDirectory);
                return Task.CompletedTask;
            });

        var first = builder.AddLocalNode(name, installation, root, temporary, password, epmd, cookie, joins: null, nodes > 1);
        // Shown under the broker; not an IResourceWithParent, which would make the broker wait for itself.
        epmd.WithParentRelationship(first);
        for (var number = 2; number <= nodes; number++)
        {
            var nodeName = NodeName(name, number);
            var node = builder.AddLocalNode(nodeName, installation, Path.Combine(runDirectory, nodeName, "rabbitmq"), temporary, password, epmd, cookie, first.Resource.NodeName, cluster: true)
                // Joins the first node at boot, so that one must be serving.
                .WaitFor(first)
                .WithParentRelationship(first);
            first.Resource.ClusterNodes.Add(node.Resource);
        }

        return first;
    }

    /// <summary>The resource name of cluster node <paramref name="number"/> (from 2; the first node keeps the broker's name).</summary>
    public static string NodeName(string brokerName, int number) => $"{brokerName}-node-{number}";

    private static IResourceBuilder<LocalRabbitMQServerResource> AddLocalNode(
        this IDistributedApplicationBuilder builder, string name, RabbitMQInstallation installation, string root, bool temporary,
        ParameterResource password, IResourceBuilder<LocalEpmdResource> epmd, string cookie, string? joins, bool cluster)
    {
        var runDirectory = Path.GetDirectoryName(root)!;
        var managementPort = LocalServerHosting.FreeLoopbackPort();
        var node = new LocalRabbitMQNode(name, installation, root, temporary, managementPort, epmd.Resource.Port, cookie, joins);
        var launcher = ServerLauncher.PathFor(runDirectory, installation.Server);
        var broker = new LocalRabbitMQServerResource(name, launcher, runDirectory, password)
        {
            NodeName = node.NodeName,
            PidFile = node.PidFile,
            Role = cluster ? LocalServerRoles.ClusterNode : LocalServerRoles.Standalone,
        };

        var resource = builder.AddLocalServer(broker, node.Launch(launcher, builder), LocalServerHosting.FreeLoopbackPort(), "Mailbox")
            .WithHttpEndpoint(port: managementPort, targetPort: managementPort, name: LocalRabbitMQServerResource.ManagementEndpointName, isProxied: false)
            .WithCatalogMessagingDashboard()
            .WithHealthCheck(AddHealthCheck(builder, broker))
            .WaitFor(epmd);
        foreach (var (key, value) in node.Environment)
        {
            resource.WithEnvironment(key, value);
        }

        return resource;
    }

    /// <summary>
    /// References the broker from <paramref name="project"/>: its connection string and, for a
    /// local cluster, every node's AMQP endpoint (<see cref="CatalogProjectSettings.BrokerEndpoints"/>),
    /// which the client connects and reconnects to in turn. Deployed, one address (a Kubernetes
    /// Service, a load balancer) already leads to whichever node is up.
    /// </summary>
    public static IResourceBuilder<T> WithCatalogMessagingReference<T>(this IResourceBuilder<T> project, IResourceBuilder<IResourceWithConnectionString> messaging)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(messaging);
        project.WithReference(messaging);
        if (messaging.Resource is LocalRabbitMQServerResource { ClusterNodes.Count: > 0 } first)
        {
            var endpoints = new ReferenceExpressionBuilder();
            foreach (var node in first.ClusterNodes.Prepend(first))
            {
                if (node != first)
                {
                    endpoints.AppendLiteral(",");
                }

                endpoints.Append($"{node.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
            }

            project.WithEnvironment(CatalogProjectSettings.BrokerEndpoints, endpoints.Build());
        }

        return project;
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
