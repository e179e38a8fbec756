using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

[assembly: AssemblyFixture(typeof(ProductCatalog.Tests.Integration.CatalogAppFixture))]

namespace ProductCatalog.Tests.Integration;

/// <summary>
/// Starts the whole distributed application (its backing servers, migration worker, API) once per test
/// run and shares it. The servers get fresh, temporary data directories (or no container volume), so
/// every run starts from an empty catalog plus the sample data. The dashboard runs
/// too (for the browser tests), and every project exports its telemetry to <see cref="Telemetry"/>,
/// an OTLP receiver in this process that passes it on to the dashboard.
/// </summary>
public sealed class CatalogAppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(4);

    private DistributedApplication? _app;
    private OtlpReceiver? _telemetry;
    private Uri? _dashboardOtlpHttp;
    private readonly Lazy<Task<OpenApiContract>> _contract;

    public CatalogAppFixture() => _contract = new(LoadContractAsync);

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>Every span, metric point and log record the projects exported during this run.</summary>
    public OtlpReceiver Telemetry => _telemetry ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The migration worker's exit code, read once it finished.</summary>
    public int? MigrationsExitCode { get; private set; }

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartupTimeout);
        var started = Stopwatch.StartNew();
        await MachinePrerequisites.EnsureBackingServersAsync(cts.Token);
        Say("starting the AppHost once for every integration test: PostgreSQL (fresh, temporary), the migration worker, the api and the dashboard...");
        _telemetry = OtlpReceiver.Start();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ProductCatalog_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
            [
                "Catalog:Postgres:Persistent=false",
                //#if (events)
                "Catalog:Messaging:Persistent=false",
                //#endif
                "Catalog:SeedSampleData=true",
            ],
            cts.Token);

        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning));

        ExportTelemetryTo(builder, _telemetry);
        _telemetry.ForwardTo(DashboardOtlpHttpEndpoint);

        _app = await builder.BuildAsync(cts.Token);
        var progress = ReportProgressAsync(_app, started, cts.Token);
        await _app.StartAsync(cts.Token);

        var migrations = await _app.ResourceNotifications.WaitForResourceAsync(
            CatalogResourceNames.Migrations, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), cts.Token);
        MigrationsExitCode = migrations.Snapshot.ExitCode;

        await _app.ResourceNotifications.WaitForResourceHealthyAsync(CatalogResourceNames.Api, cts.Token);

        SigningKey = await _app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == CatalogResourceNames.AuthSigningKey)
            .GetValueAsync(cts.Token) ?? throw new InvalidOperationException("No auth-signing-key value.");
        Say($"app ready in {started.Elapsed.TotalSeconds:0} s (migrations exit code {MigrationsExitCode}); the tests run now.");
        await cts.CancelAsync();
        await progress;
    }

    private static void Say(string message) => TestContext.Current.SendDiagnosticMessage("CatalogAppFixture: " + message);

    /// <summary>Says each resource's state as it changes, so a slow start shows where it is.</summary>
    private static async Task ReportProgressAsync(DistributedApplication app, Stopwatch started, CancellationToken ct)
    {
        var last = new Dictionary<string, string>();
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(ct))
            {
                var state = update.Snapshot.State?.Text;
                if (string.IsNullOrEmpty(state) || state == KnownResourceStates.NotStarted || update.Resource is ParameterResource)
                {
                    continue;
                }

                var health = update.Snapshot.HealthStatus is { } h && state == KnownResourceStates.Running ? $" ({h})" : "";
                var text = state + health;
                if (!last.TryGetValue(update.Resource.Name, out var previous) || previous != text)
                {
                    last[update.Resource.Name] = text;
                    Say($"{started.Elapsed.TotalSeconds,5:0.0} s  {update.Resource.Name}: {text}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Started (or gave up): the tests say the rest.
        }
    }

    /// <summary>The development signing key the AppHost generated for this run.</summary>
    public string SigningKey { get; private set; } = "";

    /// <summary>
    /// A client whose requests carry a valid token with the write scope. Each client is its own
    /// caller (a fresh subject), so per-client rate limits never couple two tests.
    /// </summary>
    public HttpClient CreateApiClient(DelegatingHandler? outermost = null)
    {
        var client = CreateAnonymousClient(outermost);
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(SigningKey));
        return client;
    }

    /// <summary>
    /// A client without a token; every response it gets is checked against the OpenAPI document.
    /// <paramref name="outermost"/>, if given, sees requests first and responses last.
    /// </summary>
    public HttpClient CreateAnonymousClient(DelegatingHandler? outermost = null)
    {
        HttpMessageHandler handler = new ContractValidatingHandler(GetContractAsync) { InnerHandler = ApiHandler() };
        if (outermost is not null)
        {
            outermost.InnerHandler = handler;
            handler = outermost;
        }

        return new HttpClient(handler, disposeHandler: true) { BaseAddress = App.GetEndpoint(CatalogResourceNames.Api, "http") };
    }

    /// <summary>
    /// A client (with a write token) whose responses are not checked against the document: only for
    /// requests so malformed that Kestrel answers them before the API sees them (a NUL in the
    /// path), so no operation can describe the response.
    /// </summary>
    public HttpClient CreateClientOutsideTheContract()
    {
        var client = App.CreateHttpClient(CatalogResourceNames.Api, "http");
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(SigningKey));
        return client;
    }

    /// <summary>The API's live OpenAPI document, read once per run (the first checked response waits for it).</summary>
    public Task<OpenApiContract> GetContractAsync(CancellationToken ct) => _contract.Value.WaitAsync(ct);

    /// <summary>The handler pipeline App.CreateHttpClient uses; the factory owns it, so disposing it is a no-op.</summary>
    private HttpMessageHandler ApiHandler() => App.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler();

    private async Task<OpenApiContract> LoadContractAsync()
    {
        using var client = App.CreateHttpClient(CatalogResourceNames.Api, "http");
        return new OpenApiContract(await client.GetStringAsync("/openapi/v1.json"));
    }

    /// <summary>The API replicas the AppHost runs by default (Catalog:Api:Replicas).</summary>
    public const int ApiReplicas = 2;

    /// <summary>One authorized client per API replica, each talking to its replica directly.</summary>
    public async Task<IReadOnlyList<HttpClient>> CreateReplicaClientsAsync(CancellationToken ct) =>
        [.. (await GetApiReplicasAsync(ct)).Select(replica =>
        {
            var client = new HttpClient { BaseAddress = replica.Address };
            client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(SigningKey));
            return client;
        })];

    /// <summary>The running API replicas: their resource names (as the dashboard shows them) and own addresses.</summary>
    public Task<IReadOnlyList<ApiReplica>> GetApiReplicasAsync(CancellationToken ct) => ApiReplica.ListAsync(App, ApiReplicas, ct);

    /// <summary>The dashboard's login URL, browser token included (treat it as a secret).</summary>
    public Task<Uri> GetDashboardLoginUrlAsync(CancellationToken ct) => App.GetDashboardUrlAsync(ct);

    public async Task<string> GetDatabaseConnectionStringAsync() =>
        await App.GetConnectionStringAsync(CatalogResourceNames.CatalogDatabase) ?? throw new InvalidOperationException("No connection string for catalogdb.");

    /// <summary>Stops the PostgreSQL resource (container or local process) as the dashboard's Stop button does.</summary>
    public async Task StopPostgresAsync(CancellationToken ct)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(CatalogResourceNames.Postgres, KnownResourceCommands.StopCommand, ct);
        Assert.True(result.Success, result.Message);
        await App.ResourceNotifications.WaitForResourceAsync(
            CatalogResourceNames.Postgres, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
    }

    public async Task StartPostgresAsync(CancellationToken ct)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(CatalogResourceNames.Postgres, KnownResourceCommands.StartCommand, ct);
        Assert.True(result.Success, result.Message);
        // The database resource still shows the stopped state until the server is ready again.
        await App.ResourceNotifications.WaitForResourceHealthyAsync(CatalogResourceNames.Postgres, WaitBehavior.WaitOnResourceUnavailable, ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(CatalogResourceNames.CatalogDatabase, WaitBehavior.WaitOnResourceUnavailable, ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        // The tests' pooled connections from before the restart are dead; the next open must not get one.
        NpgsqlConnection.ClearAllPools();
        // Health does not cover the change subscriptions, which reconnect after a back-off of up to
        // 5 s: the tests after this one get an app whose caches and feeds are announced to again.
        await WaitUntilEveryReplicaListensAsync(TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>Waits until every replica's change subscription (its LISTEN connection) is up.</summary>
    public async Task WaitUntilEveryReplicaListensAsync(TimeSpan bound, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await GetDatabaseConnectionStringAsync());
        await connection.OpenAsync(ct);
        await using var listeners = new NpgsqlCommand(
            $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{CatalogChangeNotifications.ApplicationName}' AND query ILIKE 'LISTEN%'", connection);
        var since = Stopwatch.StartNew();
        while ((long)(await listeners.ExecuteScalarAsync(ct))! < ApiReplicas)
        {
            Assert.True(since.Elapsed < bound, $"Not every replica listens for changes after {bound.TotalSeconds} s.");
            await Task.Delay(50, ct);
        }
    }

    //#if (events)
    /// <summary>The connection string the api gets for the broker (<c>ConnectionStrings__messaging</c>).</summary>
    public async Task<string> GetMessagingConnectionStringAsync() =>
        await App.GetConnectionStringAsync(CatalogResourceNames.Messaging) ?? throw new InvalidOperationException("No connection string for messaging.");

    /// <summary>Stops the RabbitMQ resource (container or local process) as the dashboard's Stop button does.</summary>
    public async Task StopMessagingAsync(CancellationToken ct)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(CatalogResourceNames.Messaging, KnownResourceCommands.StopCommand, ct);
        Assert.True(result.Success, result.Message);
        await App.ResourceNotifications.WaitForResourceAsync(
            CatalogResourceNames.Messaging, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
    }

    /// <summary>Starts it again and waits until it accepts connections.</summary>
    public async Task StartMessagingAsync(CancellationToken ct)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(CatalogResourceNames.Messaging, KnownResourceCommands.StartCommand, ct);
        Assert.True(result.Success, result.Message);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(CatalogResourceNames.Messaging, WaitBehavior.WaitOnResourceUnavailable, ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
    }

    //#endif
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await _app.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await _app.DisposeAsync();
            TestContext.Current.SendDiagnosticMessage($"CatalogAppFixture: stopped in {stopping.Elapsed.TotalSeconds:0} s");
        }

        if (_telemetry is not null)
        {
            await _telemetry.DisposeAsync();
        }
    }

    /// <summary>
    /// Points every project's OTLP exporter at <paramref name="receiver"/>. The callback runs after
    /// Aspire's own OTLP callback, so it replaces the endpoint and protocol and keeps the rest
    /// (service name, the dashboard's API key header); short intervals keep the waits short.
    /// </summary>
    private static void ExportTelemetryTo(IDistributedApplicationTestingBuilder builder, OtlpReceiver receiver)
    {
        var endpoint = receiver.Endpoint.GetLeftPart(UriPartial.Authority);
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                context.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "500";
                context.EnvironmentVariables["OTEL_BLRP_SCHEDULE_DELAY"] = "500";
                context.EnvironmentVariables["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
                context.EnvironmentVariables["OTEL_TRACES_SAMPLER"] = "always_on";
            }));
        }
    }

    private Uri? DashboardOtlpHttpEndpoint()
    {
        if (_dashboardOtlpHttp is null
            && _app?.Services.GetRequiredService<DistributedApplicationModel>().Resources
                .FirstOrDefault(r => r.Name == "aspire-dashboard") is IResourceWithEndpoints dashboard
            && dashboard.GetEndpoint("otlp-http") is { Exists: true, IsAllocated: true } otlpHttp)
        {
            _dashboardOtlpHttp = new Uri(otlpHttp.Url);
        }

        return _dashboardOtlpHttp;
    }
}
