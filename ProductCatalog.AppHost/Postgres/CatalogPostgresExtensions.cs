using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ProductCatalog.AppHost.Postgres;

public static class CatalogPostgresExtensions
{
    public const string SectionName = "Catalog:Postgres";

    public static BackingService Service { get; } = new(
        "PostgreSQL",
        SectionName,
        "PostgreSQL server binaries (initdb and postgres)",
        "on PATH or under /usr/lib/postgresql/*/bin",
        "install PostgreSQL 14 or newer (Debian/Ubuntu: 'apt-get install postgresql'; macOS: 'brew install postgresql@16'), "
        + $"or point {SectionName}:BinDirectory at the folder that holds initdb and postgres.");

    /// <summary>
    /// Adds a PostgreSQL server named <paramref name="serverName"/> with one database named
    /// <paramref name="databaseName"/>: the Aspire container where a container runtime answers
    /// (when publishing: the container or an external server, see <see cref="PublishedPostgres"/>),
    /// a local installation run as an executable otherwise.
    /// Either way the database exposes the same connection string and health check.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCatalogPostgres(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName) =>
        builder.AddBackingService(
            Service,
            PostgresInstallation.FindOnThisMachine,
            published: () => builder.AddPublishedPostgres(serverName, databaseName),
            container: options =>
            {
                var server = builder.AddPostgres(serverName);
                if (options.Persistent)
                {
                    server.WithDataVolume();
                }

                BackingServiceHosting.LogContainerChoice(builder, server.Resource, options.Persistent);
                return server.AddDatabase(databaseName);
            },
            local: (options, installation) => builder.AddLocalPostgres(serverName, options, installation).AddLocalDatabase(databaseName));

    private static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, BackingServiceOptions options, PostgresInstallation installation)
    {
        var dataPath = LocalDataDirectory.Resolve(options, builder.AppHostDirectory, "productcatalog-pg", "pgdata");
        var runDirectory = Path.GetDirectoryName(dataPath)!;
        var dataDirectory = new LocalPostgresDataDirectory(installation, dataPath);
        var launcher = ServerLauncher.PathFor(runDirectory, installation.Postgres);
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password");
        var server = new LocalPostgresServerResource(name, launcher, runDirectory, password);

        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => MaintenanceConnectionString(server.ConnectionString), name: healthCheck);

        return builder.AddLocalServer(server, dataDirectory.Launch(launcher, LocalDataDirectory.IsTemporary(options), builder), LocalServerHosting.FreeLoopbackPort(), "DatabaseMultiple")
            .WithHealthCheck(healthCheck);
    }

    /// <summary>
    /// Same contract as Aspire's AddDatabase: the database exists once the server is ready. DCP
    /// gives state only to container children, so the database follows its server's events here:
    /// starting with it, Running once the database exists (when its health check and WaitFor
    /// start), stopped with it.
    /// </summary>
    private static IResourceBuilder<LocalPostgresDatabaseResource> AddLocalDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, string databaseName)
    {
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(databaseName, databaseName, server.Resource);
        server.Resource.Databases[databaseName] = databaseName;

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));

        server.OnBeforeResourceStarted((_, @event, _) =>
            @event.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, state => state with
            {
                State = KnownResourceStates.Starting,
            }));
        server.OnResourceReady(async (_, @event, ct) =>
        {
            await using (var connection = new NpgsqlConnection(MaintenanceConnectionString(server.Resource.ConnectionString)))
            {
                await connection.OpenAsync(ct);
                await CreateDatabaseIfMissingAsync(connection, databaseName, ct);
            }

            await @event.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, state => state with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });
        server.OnResourceStopped((_, @event, _) =>
            @event.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, state => state with
            {
                State = @event.ResourceEvent.Snapshot.State,
                StopTimeStamp = @event.ResourceEvent.Snapshot.StopTimeStamp ?? DateTime.UtcNow,
            }));

        var healthCheck = $"{databaseName}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"), name: healthCheck);

        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new(CustomResourceKnownProperties.Source, server.Resource.Name)],
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }

    private static string MaintenanceConnectionString(string serverConnectionString) =>
        new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres" }.ConnectionString;

    private static async Task CreateDatabaseIfMissingAsync(NpgsqlConnection connection, string databaseName, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = databaseName } },
        };
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }

        // Identifiers cannot be parameters; the name is quoted (and comes from the AppHost's own code).
        var quoted = "\"" + databaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync(ct);
    }
}
