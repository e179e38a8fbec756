using System.Diagnostics;
using System.Globalization;
//#if (events)
using System.Text.Json;
//#endif
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ProductCatalog.Tests.Integration.HighAvailability;

/// <summary>
/// The fault tests kill servers, so they get an app of their own, started once: a PostgreSQL
/// primary with one synchronous streaming standby (the deployed shape, kept lean for 2 cores) and
/// no sample data. They run alone, after every parallel collection, so the main app is idle.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HighAvailabilityGroup : ICollectionFixture<HighAvailabilityFixture>
{
    public const string Name = "High availability";
}

/// <summary>See <see cref="HighAvailabilityFixture.OutboxStateAsync"/>.</summary>
public sealed record OutboxState(long SequencedThrough, long PublishedThrough, double LagSeconds);

public sealed partial class HighAvailabilityFixture : IAsyncLifetime
{
    public static readonly string Standby = CatalogPostgresExtensions.StandbyName(CatalogResourceNames.Postgres, 1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _apiErrors = new();
    private DistributedApplication? _app;

    /// <summary>The api replicas' error log lines so far (with the lines after each), for a failing fault test to show.</summary>
    public IReadOnlyCollection<string> ApiErrors => _apiErrors;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    public string SigningKey { get; private set; } = "";

    /// <summary>How long the app took to start, for the report.</summary>
    public TimeSpan StartupTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(CatalogAppFixture.StartupTimeout);
        var started = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ProductCatalog_AppHost>(
            [
                "Catalog:Postgres:Persistent=false",
                $"{CatalogPostgresExtensions.StandbysKey}=1",
                //#if (events)
                "Catalog:Messaging:Persistent=false",
                $"{CatalogMessagingExtensions.NodesKey}={BrokerNodeCount}",
                //#endif
                "Catalog:SeedSampleData=false",
            ],
            cts.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        _app = await builder.BuildAsync(cts.Token);
        _ = CaptureApiErrorsAsync(_app, _stopping.Token);
        await _app.StartAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(Standby, cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(CatalogResourceNames.Api, cts.Token);
        //#if (events)
        foreach (var node in BrokerNodes)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(node.Name, cts.Token);
        }

        //#endif
        SigningKey = await _app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == CatalogResourceNames.AuthSigningKey)
            .GetValueAsync(cts.Token) ?? throw new InvalidOperationException("No signing key.");
        StartupTime = started.Elapsed;
        var shape = "primary + 1 standby";
        //#if (events)
        shape += $", {BrokerNodeCount} broker nodes";
        //#endif
        TestContext.Current.SendDiagnosticMessage($"HighAvailabilityFixture: {shape} ready in {StartupTime.TotalSeconds:0} s");
    }

    public HttpClient CreateApiClient(string scope = TestTokens.WriteScope)
    {
        var client = App.CreateHttpClient(CatalogResourceNames.Api, "http");
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(SigningKey, scope: scope));
        return client;
    }

    /// <summary>The api's multi-host connection string: whichever server is primary.</summary>
    public async Task<string> DatabaseConnectionStringAsync() =>
        await App.GetConnectionStringAsync(CatalogResourceNames.CatalogDatabase) ?? throw new InvalidOperationException("No catalogdb connection string.");

    /// <summary>The products whose SKU starts with <paramref name="prefix"/> (a test's own), by id, with their names.</summary>
    public async Task<Dictionary<Guid, string>> StoredNamesAsync(string prefix, CancellationToken ct)
    {
        // The multi-host string reaches the promoted standby now.
        await using var connection = new NpgsqlConnection(await DatabaseConnectionStringAsync());
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT id, name FROM products WHERE sku LIKE $1", connection)
        {
            Parameters = { new() { Value = prefix + "%" } },
        };
        var stored = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            stored[reader.GetGuid(0)] = reader.GetString(1);
        }

        return stored;
    }

    /// <summary>The newest feed position given out so far: every event a test causes afterwards comes after it.</summary>
    public async Task<long> FeedHeadAsync(CancellationToken ct) => (await OutboxStateAsync(ct)).SequencedThrough;

    /// <summary>
    /// The relay's progress where it records it (on whichever server is primary): the positions given
    /// out and confirmed by the broker, and the age of the oldest event not yet confirmed (what the
    /// api reports as catalog.events.outbox.lag), 0 when none waits.
    /// </summary>
    public async Task<OutboxState> OutboxStateAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await DatabaseConnectionStringAsync());
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT f.sequenced_through, f.published_through,
                   coalesce(extract(epoch FROM clock_timestamp() - (SELECT min(g.time) FROM {CatalogTables.EventGroups} AS g
                                                                     WHERE g.last_position IS NULL OR g.last_position > f.published_through)), 0)::float8
            FROM {CatalogTables.EventFeed} AS f
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new OutboxState(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2));
    }

    /// <summary>
    /// <c>kill -9</c> of the server's postmaster (the process that owns the data directory, not its
    /// launcher): a crash, with no shutdown checkpoint and every connection cut.
    /// </summary>
    public async Task KillAsync(string server, CancellationToken ct)
    {
        var resource = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<LocalPostgresServerResource>().Single(r => r.Name == server);
        var arguments = await ExecutionConfigurationBuilder.Create(resource).WithArgumentsConfig().BuildAsync(
            App.Services.GetRequiredService<DistributedApplicationExecutionContext>(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, ct);
        var dataDirectory = arguments.Arguments.SkipWhile(a => a.Value != "-D").Skip(1).First().Value;
        await KillProcessAsync(int.Parse((await File.ReadAllLinesAsync(Path.Combine(dataDirectory, "postmaster.pid"), ct))[0], CultureInfo.InvariantCulture), ct);
    }

    /// <summary>
    /// Starts the killed standby again (it copies the primary afresh before it starts) and waits
    /// until the primary counts it as a synchronous standby, which releases the waiting commits.
    /// </summary>
    public async Task RestartStandbyAsync(CancellationToken ct)
    {
        await App.ResourceNotifications.WaitForResourceAsync(Standby, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(Standby, KnownResourceCommands.StartCommand, ct);
        Assert.True(result.Success, result.Message);
        await using var connection = new NpgsqlConnection(await DatabaseConnectionStringAsync());
        await connection.OpenAsync(ct);
        await using var synchronous = new NpgsqlCommand("SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')", connection);
        var waited = Stopwatch.StartNew();
        while ((long)(await synchronous.ExecuteScalarAsync(ct))! == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), $"{Standby} did not stream synchronously again within 2 min");
            await Task.Delay(200, ct);
        }
    }

    /// <summary>Promotes a standby, as CloudNativePG, Patroni or a managed service would after a primary's loss.</summary>
    public async Task PromoteAsync(string standby, CancellationToken ct)
    {
        var connectionString = await App.GetConnectionStringAsync(standby, ct) ?? throw new InvalidOperationException($"No connection string for {standby}.");
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var promote = new NpgsqlCommand("SELECT pg_promote(wait => true, wait_seconds => 30)", connection);
        Assert.True((bool)(await promote.ExecuteScalarAsync(ct))!, $"{standby} was not promoted within 30 s");
    }

    /// <summary>The api replicas, each with its own address (see <see cref="CreateReplicaClient"/>).</summary>
    public Task<IReadOnlyList<ApiReplica>> ApiReplicasAsync(CancellationToken ct) => ApiReplica.ListAsync(App, CatalogAppFixture.ApiReplicas, ct);

    /// <summary>
    /// A writer's client of one replica only, past the orchestrator's proxy. Idempotency keys are
    /// the caller's own, so a retry elsewhere must come from the same <paramref name="subject"/>.
    /// </summary>
    public HttpClient CreateReplicaClient(ApiReplica replica, string subject)
    {
        var client = new HttpClient { BaseAddress = replica.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(SigningKey, scope: TestTokens.WriteScope, subject: subject));
        return client;
    }

    /// <summary>
    /// <c>kill -9</c> of the process that serves an api replica's address (the api itself; DCP's
    /// <c>dotnet run</c> launcher above it then exits too). Returns its pid.
    /// </summary>
    public static async Task<int> KillApiReplicaAsync(ApiReplica replica, CancellationToken ct)
    {
        using var ss = Process.Start(new ProcessStartInfo(await MachinePrerequisites.SsAsync(), ["-Hltnp", $"sport = :{replica.Address.Port}"]) { RedirectStandardOutput = true })!;
        var listeners = await ss.StandardOutput.ReadToEndAsync(ct);
        await ss.WaitForExitAsync(ct);
        var pids = ListenerPid().Matches(listeners).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.True(pids.Count == 1, $"not one process listens on {replica.Address}: {listeners}");
        await KillProcessAsync(pids[0], ct);
        return pids[0];
    }

    /// <summary>
    /// Starts a killed api replica again, as the dashboard's Start does, and waits until the
    /// replica itself (not the orchestrator's proxy, whose health the dashboard shows) answers
    /// /health. Returns it with its address.
    /// </summary>
    public async Task<ApiReplica> RestartApiReplicaAsync(ApiReplica replica, CancellationToken ct)
    {
        await WaitForReplicaAsync(replica.Name, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), TimeSpan.FromSeconds(30), ct);
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(replica.Name, KnownResourceCommands.StartCommand, ct);
        Assert.True(result.Success, result.Message);
        var restarted = (await ApiReplicasAsync(ct)).Single(r => r.Name == replica.Name);
        using var client = new HttpClient { BaseAddress = restarted.Address, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var health = await client.GetAsync("/health", ct);
                if (health.IsSuccessStatusCode)
                {
                    return restarted;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), $"{replica.Name} did not answer /health within a minute of its restart");
            await Task.Delay(200, ct);
        }
    }

    /// <summary>WaitForResourceAsync matches a resource's name, which every replica shares; this matches one replica.</summary>
    private async Task WaitForReplicaAsync(string replica, Func<ResourceEvent, bool> until, TimeSpan bound, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(bound);
        try
        {
            await foreach (var e in App.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (e.ResourceId == replica && until(e))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }

        Assert.Fail($"{replica} did not reach the awaited state within {bound.TotalSeconds} s");
    }

    /// <summary>
    /// Stops the standby's WAL receiver (SIGSTOP) until the result is disposed: the primary's
    /// commits then wait for a confirmation that does not come, as with a standby that fell behind.
    /// </summary>
    public async Task<IAsyncDisposable> PauseStandbyAsync(CancellationToken ct)
    {
        var connectionString = await App.GetConnectionStringAsync(Standby, ct) ?? throw new InvalidOperationException($"No connection string for {Standby}.");
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var receiver = new NpgsqlCommand("SELECT pid FROM pg_stat_wal_receiver", connection);
        var pid = (int?)await receiver.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"{Standby} has no WAL receiver.");
        await SignalAsync(pid, "STOP", ct);
        return new ResumeOnDispose(pid);
    }

    private sealed class ResumeOnDispose(int pid) : IAsyncDisposable
    {
        private int _resumed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _resumed, 1) == 0)
            {
                await SignalAsync(pid, "CONT", CancellationToken.None);
            }
        }
    }

    //#if (events)
    /// <summary>The broker cluster's size: 3, as deployed (a majority survives one node).</summary>
    public const int BrokerNodeCount = 3;

    /// <summary>The local broker's nodes, the first (named <c>messaging</c>) first.</summary>
    public IReadOnlyList<LocalRabbitMQServerResource> BrokerNodes =>
        [.. App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<LocalRabbitMQServerResource>().OrderBy(n => n.Name != CatalogResourceNames.Messaging)];

    /// <summary>
    /// The node the relay's connection is on, from a live node's management API (which lists every
    /// connection of the cluster, by client-provided name); null until the relay has connected.
    /// </summary>
    public async Task<LocalRabbitMQServerResource?> RelayNodeAsync(LocalRabbitMQServerResource ask, CancellationToken ct)
    {
        using var management = await ManagementClientAsync(ask, ct);
        using var connections = JsonDocument.Parse(await management.GetStringAsync("/api/connections", ct));
        var node = connections.RootElement.EnumerateArray()
            .Where(c => c.TryGetProperty("client_properties", out var properties) && properties.TryGetProperty("connection_name", out var name)
                && name.GetString() == ChangeEventRelay.BrokerConnectionName)
            .Select(c => c.GetProperty("node").GetString())
            .FirstOrDefault();
        return BrokerNodes.FirstOrDefault(n => n.NodeName == node);
    }

    /// <summary>The cluster's members that a live node's management API reports running.</summary>
    public async Task<List<string>> RunningBrokerNodesAsync(LocalRabbitMQServerResource ask, CancellationToken ct)
    {
        using var management = await ManagementClientAsync(ask, ct);
        using var nodes = JsonDocument.Parse(await management.GetStringAsync("/api/nodes", ct));
        return [.. nodes.RootElement.EnumerateArray().Where(n => n.GetProperty("running").GetBoolean()).Select(n => n.GetProperty("name").GetString()!)];
    }

    /// <summary><c>kill -9</c> of a broker node's Erlang VM (from its pid file, not its launcher): a crash with publishes in flight.</summary>
    public static async Task KillBrokerNodeAsync(LocalRabbitMQServerResource node, CancellationToken ct) =>
        await KillProcessAsync(int.Parse((await File.ReadAllTextAsync(node.PidFile, ct)).Trim(), CultureInfo.InvariantCulture), ct);

    private async Task<HttpClient> ManagementClientAsync(LocalRabbitMQServerResource node, CancellationToken ct)
    {
        var amqp = new Uri(await App.GetConnectionStringAsync(node.Name, ct) ?? throw new InvalidOperationException($"No connection string for {node.Name}."));
        var client = new HttpClient { BaseAddress = App.GetEndpoint(node.Name, LocalRabbitMQServerResource.ManagementEndpointName), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
        return client;
    }

    //#endif
    private static Task KillProcessAsync(int pid, CancellationToken ct) => SignalAsync(pid, "KILL", ct);

    private static async Task SignalAsync(int pid, string signal, CancellationToken ct)
    {
        using var kill = Process.Start("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(ct);
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Follows every api replica's console and keeps what its errors say.</summary>
    private async Task CaptureApiErrorsAsync(DistributedApplication app, CancellationToken ct)
    {
        var followed = new HashSet<string>();
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(ct))
            {
                if (update.Resource.Name == CatalogResourceNames.Api && followed.Add(update.ResourceId))
                {
                    _ = FollowAsync(update.ResourceId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        async Task FollowAsync(string resourceId)
        {
            var after = 0;
            try
            {
                await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(resourceId).WithCancellation(ct))
                {
                    foreach (var line in batch)
                    {
                        // The console logger colours its level ("fail") for the dashboard, so the
                        // escapes sit between "fail" and ":"; without them the line matched nothing.
                        var text = AnsiEscape().Replace(line.Content, "");
                        if (text.Contains("fail:", StringComparison.Ordinal))
                        {
                            after = 12;
                        }

                        if (after-- > 0)
                        {
                            _apiErrors.Enqueue($"{resourceId}: {text}");
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _stopping.Dispose();
        if (_app is not null)
        {
            var stopping = Stopwatch.StartNew();
            await _app.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await _app.DisposeAsync();
            TestContext.Current.SendDiagnosticMessage($"HighAvailabilityFixture: stopped in {stopping.Elapsed.TotalSeconds:0} s");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"pid=(\d+)")]
    private static partial System.Text.RegularExpressions.Regex ListenerPid();

    [System.Text.RegularExpressions.GeneratedRegex("\x1B\\[[0-9;]*m")]
    private static partial System.Text.RegularExpressions.Regex AnsiEscape();
}
