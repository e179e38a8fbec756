using Microsoft.Extensions.Configuration;

namespace ProductCatalog.Tests.Unit;

/// <summary>The resources AddCatalogMessaging puts in the model, without starting anything.</summary>
public sealed class CatalogMessagingModelTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pc-fakermq-").FullName;

    [Fact]
    public void Local_mode_adds_an_executable_broker_with_the_container_shaped_connection_string()
    {
        var builder = DistributedApplication.CreateBuilder(["Catalog:Messaging:Mode=local", "Catalog:Messaging:BinDirectory=" + FakeInstallation()]);

        var messaging = builder.AddCatalogMessaging(CatalogResourceNames.Messaging);

        var local = Assert.IsType<LocalRabbitMQServerResource>(messaging.Resource);
        Assert.Equal(CatalogResourceNames.Messaging, local.Name);

        // Same expression as Aspire's own container resource, so consumers cannot tell the two apart.
        var reference = DistributedApplication.CreateBuilder([]).AddRabbitMQ(CatalogResourceNames.Messaging);
        Assert.Equal(reference.Resource.ConnectionStringExpression.ValueExpression, local.ConnectionStringExpression.ValueExpression);
        Assert.Equal("messaging-password", local.PasswordParameter.Name);
        Assert.True(local.PasswordParameter.Secret);
        Assert.True(local.TryGetAnnotationsOfType<ManifestPublishingCallbackAnnotation>(out _), "the local broker must stay out of the manifest");
        Assert.True(local.TryGetAnnotationsOfType<HealthCheckAnnotation>(out _), "WaitFor(messaging) needs a health check");

        var endpoints = local.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.False(endpoints["tcp"].IsProxied);
        Assert.Equal("http", endpoints["management"].UriScheme);
        Assert.NotEqual(endpoints["tcp"].Port, endpoints["management"].Port);
    }

    [Fact]
    public async Task Three_nodes_are_one_cluster_of_their_own_processes_and_the_api_gets_every_node()
    {
        var builder = DistributedApplication.CreateBuilder(
            ["Catalog:Messaging:Mode=local", $"{CatalogMessagingExtensions.NodesKey}=3", "Catalog:Messaging:BinDirectory=" + FakeInstallation()]);
        var messaging = builder.AddCatalogMessaging(CatalogResourceNames.Messaging);
        var api = builder.AddExecutable("api", "dotnet", ".").WithCatalogMessagingReference(messaging);

        var nodes = builder.Resources.OfType<LocalRabbitMQServerResource>().ToList();
        Assert.Equal([CatalogResourceNames.Messaging, "messaging-node-2", "messaging-node-3"], nodes.Select(n => n.Name));
        Assert.All(nodes, n => Assert.Equal(LocalServerRoles.ClusterNode, n.Role));
        Assert.Same(messaging.Resource, nodes[0]);
        Assert.Equal(nodes.Skip(1), nodes[0].ClusterNodes);

        var environments = new List<Dictionary<string, string>>();
        foreach (var node in nodes)
        {
            environments.Add(await EnvironmentOf(node));
        }

        foreach (var key in new[] { "RABBITMQ_NODENAME", "RABBITMQ_NODE_PORT", "RABBITMQ_DIST_PORT", "RABBITMQ_MNESIA_BASE", "HOME", "RABBITMQ_PID_FILE" })
        {
            Assert.Equal(3, environments.Select(e => e[key]).Distinct().Count());
        }

        // One port mapper for the cluster; a cluster starts empty even though the default is a kept folder.
        Assert.Single(environments.Select(e => e["ERL_EPMD_PORT"]).Distinct());
        Assert.All(environments, e => Assert.Equal("-start_epmd false", e["ERL_ZFLAGS"]));
        Assert.All(environments, e => Assert.StartsWith(Path.GetTempPath(), e["RABBITMQ_MNESIA_BASE"], StringComparison.Ordinal));
        Assert.All(nodes.Skip(1), n => Assert.Contains(n.Annotations.OfType<WaitAnnotation>(), w => w.Resource == nodes[0]));
        // Every node boots only once the port mapper listens (or it would start a daemon of its own).
        var epmd = Assert.Single(builder.Resources.OfType<LocalEpmdResource>());
        Assert.NotEmpty(epmd.Annotations.OfType<HealthCheckAnnotation>());
        Assert.All(nodes, n => Assert.Contains(n.Annotations.OfType<WaitAnnotation>(), w => w.Resource == epmd && w.WaitType == WaitType.WaitUntilHealthy));

        // The expressions as written (their values need allocated endpoints, which only a run has).
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run));
        foreach (var callback in api.Resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        Assert.Contains("ConnectionStrings__messaging", context.EnvironmentVariables.Keys);
        Assert.Equal(
            "{messaging.bindings.tcp.host}:{messaging.bindings.tcp.port},{messaging-node-2.bindings.tcp.host}:{messaging-node-2.bindings.tcp.port},"
            + "{messaging-node-3.bindings.tcp.host}:{messaging-node-3.bindings.tcp.port}",
            Assert.IsType<ReferenceExpression>(context.EnvironmentVariables[CatalogProjectSettings.BrokerEndpoints]).ValueExpression);
    }

    [Fact]
    public void A_joining_node_finds_the_first_through_classic_peer_discovery_and_the_first_joins_nobody()
    {
        var joining = LocalRabbitMQNode.Configuration(5001, "/data/definitions.json", "messaging-1a2b3c4d@localhost");
        var first = LocalRabbitMQNode.Configuration(5001, "/data/definitions.json", joins: null);

        Assert.Contains("cluster_formation.peer_discovery_backend = classic_config\n", joining, StringComparison.Ordinal);
        Assert.Contains("cluster_formation.classic_config.nodes.1 = messaging-1a2b3c4d@localhost\n", joining, StringComparison.Ordinal);
        Assert.DoesNotContain("cluster_formation", first, StringComparison.Ordinal);
        Assert.Contains("management.tcp.port = 5001\n", first, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    public void A_cluster_size_outside_1_to_5_is_refused(string nodes)
    {
        var builder = DistributedApplication.CreateBuilder(
            ["Catalog:Messaging:Mode=local", $"{CatalogMessagingExtensions.NodesKey}={nodes}", "Catalog:Messaging:BinDirectory=" + FakeInstallation()]);

        var error = Assert.Throws<CatalogSetupException>(() => builder.AddCatalogMessaging(CatalogResourceNames.Messaging));
        Assert.Contains("1 (one node) to 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_app_hosts_get_their_own_node_name_ports_and_folders()
    {
        var first = await EnvironmentOf(LocalResource());
        var second = await EnvironmentOf(LocalResource());

        foreach (var key in new[] { "RABBITMQ_NODENAME", "RABBITMQ_DIST_PORT", "ERL_EPMD_PORT", "RABBITMQ_MNESIA_BASE", "RABBITMQ_LOG_BASE", "HOME" })
        {
            Assert.NotEqual(first[key], second[key]);
        }

        // Nothing from the package's system-wide node applies.
        Assert.DoesNotContain(first.Values, v => v.Contains("/etc/rabbitmq", StringComparison.Ordinal) || v.Contains("/var/lib/rabbitmq", StringComparison.Ordinal));
        Assert.EndsWith("@localhost", first["RABBITMQ_NODENAME"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_password_is_in_no_environment_variable()
    {
        var local = LocalResource();
        var password = await local.PasswordParameter.GetValueAsync(TestContext.Current.CancellationToken);

        var environment = await EnvironmentOf(local);

        Assert.False(string.IsNullOrEmpty(password));
        Assert.DoesNotContain(environment.Values, v => v.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public void The_definitions_file_holds_RabbitMQs_salted_SHA256_hash_not_the_password()
    {
        // rabbit_password_hashing_sha256 of "s3cret" with salt 01 02 03 04, as RabbitMQ computes it.
        var expected = Convert.ToBase64String([1, 2, 3, 4, .. System.Security.Cryptography.SHA256.HashData([1, 2, 3, 4, .. "s3cret"u8.ToArray()])]);

        var definitions = System.Text.Json.Nodes.JsonNode.Parse(LocalRabbitMQNode.Definitions("s3cret", [1, 2, 3, 4]))!;

        var user = definitions["users"]![0]!;
        Assert.Equal("guest", user["name"]!.GetValue<string>());
        Assert.Equal(expected, user["password_hash"]!.GetValue<string>());
        Assert.Equal("rabbit_password_hashing_sha256", user["hashing_algorithm"]!.GetValue<string>());
        Assert.DoesNotContain("s3cret", definitions.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(".*", definitions["permissions"]![0]!["write"]!.GetValue<string>());
    }

    [Fact]
    public void Publish_mode_adds_the_standard_container_even_when_local_is_asked_for()
    {
        var builder = DistributedApplication.CreateBuilder(["--publisher", "manifest", "--output-path", Path.GetTempFileName(), "Catalog:Messaging:Mode=local"]);

        var messaging = builder.AddCatalogMessaging(CatalogResourceNames.Messaging);

        Assert.IsType<RabbitMQServerResource>(messaging.Resource);
        Assert.Empty(builder.Resources.OfType<ExecutableResource>());
    }

    [Fact]
    public void Publish_mode_external_adds_only_a_secret_connection_string_parameter()
    {
        var builder = DistributedApplication.CreateBuilder(["--publisher", "manifest", "--output-path", Path.GetTempFileName(), "Catalog:Messaging:Publish=external"]);

        var messaging = builder.AddCatalogMessaging(CatalogResourceNames.Messaging);

        var parameter = Assert.IsType<ParameterResource>(messaging.Resource, exactMatch: false);
        Assert.True(parameter.Secret);
        Assert.Equal(CatalogResourceNames.Messaging, parameter.Name);
        Assert.DoesNotContain(builder.Resources, r => r is RabbitMQServerResource or ExecutableResource);
    }

    [Theory]
    [InlineData(null, MessagingPublishMode.Container)]
    [InlineData(" External ", MessagingPublishMode.External)]
    public void Publish_setting_is_parsed_case_insensitively_with_the_container_as_default(string? value, MessagingPublishMode expected)
    {
        Assert.Equal(expected, PublishedMessaging.ModeFrom(Configuration(value)));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("managed")]
    public void Unknown_publish_setting_is_rejected_with_the_allowed_values(string value)
    {
        var error = Assert.Throws<CatalogSetupException>(() => PublishedMessaging.ModeFrom(Configuration(value)));
        Assert.Contains("container, external", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(string? value) =>
        new ConfigurationBuilder().AddInMemoryCollection([new(PublishedMessaging.SettingKey, value)]).Build();

    private LocalRabbitMQServerResource LocalResource() =>
        (LocalRabbitMQServerResource)DistributedApplication.CreateBuilder(
            ["Catalog:Messaging:Mode=local", "Catalog:Messaging:Persistent=false", "Catalog:Messaging:BinDirectory=" + FakeInstallation()])
            .AddCatalogMessaging(CatalogResourceNames.Messaging).Resource;

    private static async Task<Dictionary<string, string>> EnvironmentOf(LocalRabbitMQServerResource resource)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig().BuildAsync(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            TestContext.Current.CancellationToken);
        return result.EnvironmentVariables.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    private string FakeInstallation()
    {
        var bin = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "rabbitmq-server"), "");
        File.WriteAllText(Path.Combine(bin, "epmd"), "");
        return bin;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void RabbitMQ_without_runtime_or_binaries_says_what_to_install_in_its_own_words()
    {
        var error = Assert.Throws<CatalogSetupException>(() =>
            HostingPlan.Choose<RabbitMQInstallation>(CatalogMessagingExtensions.Service, HostingMode.Auto, () => false, () => null));

        Assert.StartsWith("RabbitMQ cannot be started", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install rabbitmq-server", error.Message, StringComparison.Ordinal);
        Assert.Contains("Catalog:Messaging:BinDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RabbitMQ_forced_container_without_runtime_names_its_own_setting()
    {
        var error = Assert.Throws<CatalogSetupException>(() =>
            HostingPlan.Choose<RabbitMQInstallation>(CatalogMessagingExtensions.Service, HostingMode.Container, () => false, () => null));

        Assert.Contains("Catalog:Messaging:Mode is 'container'", error.Message, StringComparison.Ordinal);
        Assert.Contains("local RabbitMQ installation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Messaging_mode_setting_is_rejected_with_its_own_key()
    {
        var error = Assert.Throws<CatalogSetupException>(() => BackingServiceOptions.ParseMode("docker", CatalogMessagingExtensions.SectionName));

        Assert.StartsWith("Catalog:Messaging:Mode is 'docker'", error.Message, StringComparison.Ordinal);
    }
}
