using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ProductCatalog.Tests.Integration;

/// <summary>
/// Tests that stop the broker. They share the one app, so they run alone, after every parallel
/// collection has finished.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerOutageGroup
{
    public const string Name = "Broker outage";
}

/// <summary>
/// The <c>messaging</c> resource: the broker the api is given, reachable with the api's connection
/// string. In the outage group, so a restart test never stops the broker under them.
/// </summary>
[Collection(BrokerOutageGroup.Name)]
public sealed class MessagingTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task Messaging_is_running_and_healthy_and_the_api_gets_its_connection_string()
    {
        var ct = TestContext.Current.CancellationToken;
        var state = await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(CatalogResourceNames.Messaging, ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
        Assert.Equal(KnownResourceStates.Running, state.Snapshot.State?.Text);

        var apiConnectionString = await ApiConnectionStringAsync(ct);
        Assert.Equal(await fixture.GetMessagingConnectionStringAsync(), apiConnectionString);
        Assert.StartsWith("amqp://", apiConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_round_trips_through_the_broker_with_the_api_connection_string()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await Connect(await ApiConnectionStringAsync(ct), ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var queue = await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
        var body = Encoding.UTF8.GetBytes($"ping-{Guid.NewGuid():N}");

        await channel.BasicPublishAsync(exchange: "", routingKey: queue.QueueName, body: body, cancellationToken: ct);

        BasicGetResult? received = null;
        for (var attempt = 0; attempt < 50 && received is null; attempt++)
        {
            received = await channel.BasicGetAsync(queue.QueueName, autoAck: true, ct);
            if (received is null)
            {
                await Task.Delay(100, ct);
            }
        }

        Assert.NotNull(received);
        Assert.Equal(body, received.Body.ToArray());
    }

    [Fact]
    public async Task The_management_UI_is_linked_on_the_dashboard_and_answers()
    {
        var ct = TestContext.Current.CancellationToken;
        var broker = fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<IResourceWithEndpoints>().Single(r => r.Name == CatalogResourceNames.Messaging);
        var management = broker.GetEndpoint("management");
        Assert.True(management.IsAllocated, "no management endpoint");
        var shown = await fixture.App.ResourceNotifications.WaitForResourceAsync(
            CatalogResourceNames.Messaging, e => e.Snapshot.Urls.Any(u => u.DisplayProperties.DisplayName == "Management UI"), ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(management.Url.TrimEnd('/'), shown.Snapshot.Urls.Single(u => u.DisplayProperties.DisplayName == "Management UI").Url.TrimEnd('/'));

        using var http = new HttpClient { BaseAddress = new Uri(management.Url), Timeout = TimeSpan.FromSeconds(30) };
        using var page = await http.GetAsync("/", ct);
        Assert.True(page.IsSuccessStatusCode, $"management UI answered {(int)page.StatusCode}");
    }

    internal async Task<string> ApiConnectionStringAsync(CancellationToken ct)
    {
        var api = fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>().Single(r => r.Name == CatalogResourceNames.Api);
        var configuration = await ExecutionConfigurationBuilder.Create(api).WithEnvironmentVariablesConfig().BuildAsync(
            fixture.App.Services.GetRequiredService<DistributedApplicationExecutionContext>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        return Assert.Single(configuration.EnvironmentVariables, kv => kv.Key == "ConnectionStrings__messaging").Value;
    }

    internal static Task<IConnection> Connect(string connectionString, CancellationToken ct) =>
        new ConnectionFactory
        {
            Uri = new Uri(connectionString),
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
        }.CreateConnectionAsync(ct);
}

[Collection(BrokerOutageGroup.Name)]
public sealed class BrokerRestartTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task Stopping_messaging_refuses_connections_and_starting_it_again_accepts_them()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await fixture.GetMessagingConnectionStringAsync();
        await using (var before = await MessagingTests.Connect(connectionString, ct))
        {
            Assert.True(before.IsOpen);
        }

        var nodeName = await LocalNodeNameAsync(ct);
        if (nodeName is not null)
        {
            Assert.NotEmpty(ProcessesOf(nodeName));
        }

        await fixture.StopMessagingAsync(ct);
        try
        {
            // Not proxied: a stopped broker refuses at once instead of accepting and hanging.
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => MessagingTests.Connect(connectionString, ct));
            if (nodeName is not null)
            {
                // Neither the Erlang VM nor the epmd daemon it started outlive a stopped local broker.
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (ProcessesOf(nodeName).Count > 0 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500, ct);
                }

                Assert.Empty(ProcessesOf(nodeName));
            }
        }
        finally
        {
            await fixture.StartMessagingAsync(ct);
        }

        Assert.Equal(connectionString, await fixture.GetMessagingConnectionStringAsync());
        await using var after = await MessagingTests.Connect(connectionString, ct);
        await using var channel = await after.CreateChannelAsync(cancellationToken: ct);
        Assert.True(channel.IsOpen);
    }

    /// <summary>The local node's name, or null when the broker is a container.</summary>
    private async Task<string?> LocalNodeNameAsync(CancellationToken ct)
    {
        var broker = fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == CatalogResourceNames.Messaging);
        if (broker is not ExecutableResource || !OperatingSystem.IsLinux())
        {
            return null;
        }

        var configuration = await ExecutionConfigurationBuilder.Create(broker).WithEnvironmentVariablesConfig().BuildAsync(
            fixture.App.Services.GetRequiredService<DistributedApplicationExecutionContext>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            ct);
        return Assert.Single(configuration.EnvironmentVariables, kv => kv.Key == "RABBITMQ_NODENAME").Value;
    }

    /// <summary>Processes (the server, its Erlang VM, its epmd) whose environment names this node.</summary>
    private static List<string> ProcessesOf(string nodeName)
    {
        var marker = $"RABBITMQ_NODENAME={nodeName}\0";
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(marker, StringComparison.Ordinal)
                    && File.ReadAllText(Path.Combine(dir, "stat")).Split(' ')[2] != "Z")
                {
                    found.Add($"{Path.GetFileName(dir)} {File.ReadAllText(Path.Combine(dir, "comm")).Trim()}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return found;
    }
}
