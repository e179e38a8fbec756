using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

[assembly: AssemblyFixture(typeof(ProductCatalog.Tests.Integration.CatalogAppFixture))]

namespace ProductCatalog.Tests.Integration;

/// <summary>
/// Starts the whole distributed application (PostgreSQL, migration worker, API) once per test
/// run and shares it. PostgreSQL gets a fresh, temporary data directory (or an unnamed container
/// volume), so every run starts from an empty catalog plus the sample data.
/// </summary>
public sealed class CatalogAppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(4);

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The migration worker's exit code, read once it finished.</summary>
    public int? MigrationsExitCode { get; private set; }

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartupTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ProductCatalog_AppHost>(
            [
                "Catalog:Postgres:Persistent=false",
                "Catalog:SeedSampleData=true",
            ],
            cts.Token);

        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning));

        _app = await builder.BuildAsync(cts.Token);
        await _app.StartAsync(cts.Token);

        var migrations = await _app.ResourceNotifications.WaitForResourceAsync(
            "migrations", e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), cts.Token);
        MigrationsExitCode = migrations.Snapshot.ExitCode;

        await _app.ResourceNotifications.WaitForResourceHealthyAsync("api", cts.Token);

        SigningKey = await _app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == "auth-signing-key")
            .GetValueAsync(cts.Token) ?? throw new InvalidOperationException("No auth-signing-key value.");
    }

    /// <summary>The development signing key the AppHost generated for this run.</summary>
    public string SigningKey { get; private set; } = "";

    /// <summary>
    /// A client whose requests carry a valid token with the write scope. Each client is its own
    /// caller (a fresh subject), so per-client rate limits never couple two tests.
    /// </summary>
    public HttpClient CreateApiClient()
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(SigningKey));
        return client;
    }

    public HttpClient CreateAnonymousClient() => App.CreateHttpClient("api", "http");

    public async Task<string> GetDatabaseConnectionStringAsync() =>
        await App.GetConnectionStringAsync("catalogdb") ?? throw new InvalidOperationException("No connection string for catalogdb.");

    /// <summary>Stops the PostgreSQL resource (container or local process) as the dashboard's Stop button does.</summary>
    public async Task StopPostgresAsync(CancellationToken ct)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync("postgres", KnownResourceCommands.StopCommand, ct);
        Assert.True(result.Success, result.Message);
        await App.ResourceNotifications.WaitForResourceAsync(
            "postgres", e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
    }

    public async Task StartPostgresAsync(CancellationToken ct)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync("postgres", KnownResourceCommands.StartCommand, ct);
        Assert.True(result.Success, result.Message);
        // The database resource still shows the stopped state until the server is ready again.
        await App.ResourceNotifications.WaitForResourceHealthyAsync("postgres", WaitBehavior.WaitOnResourceUnavailable, ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("catalogdb", WaitBehavior.WaitOnResourceUnavailable, ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await _app.DisposeAsync();
        }
    }
}
