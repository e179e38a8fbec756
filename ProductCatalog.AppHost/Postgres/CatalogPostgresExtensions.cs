using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ProductCatalog.AppHost.Postgres;

public static class CatalogPostgresExtensions
{
    public const string SectionName = "Catalog:Postgres";

    /// <summary>How many streaming standbys a local primary gets (0: one server, as a plain run).</summary>
    public const string StandbysKey = SectionName + ":Standbys";

    /// <summary>The resource name of standby <paramref name="number"/> (from 1).</summary>
    public static string StandbyName(string serverName, int number) => $"{serverName}-standby-{number}";

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
            local: (options, installation) =>
            {
                var standbys = builder.Configuration.GetValue(StandbysKey, 0);
                if (standbys is < 0 or > 5)
                {
                    throw new CatalogSetupException($"{StandbysKey} is {standbys}; use 0 (one server) to 5.");
                }

                var dataPath = LocalDataDirectory.Resolve(options, builder.AppHostDirectory, "productcatalog-pg", "pgdata");
                var standbyNames = Enumerable.Range(1, standbys).Select(n => StandbyName(serverName, n)).ToList();
                var primary = builder.AddLocalPostgres(serverName, dataPath, LocalDataDirectory.IsTemporary(options), installation, password: null, primary: null, standbyNames);
                var database = primary.AddLocalDatabase(databaseName);
                foreach (var standby in standbyNames)
                {
                    var path = Path.Combine(Path.GetDirectoryName(dataPath)!, standby, "pgdata");
                    database.Resource.Servers.Add(builder.AddLocalPostgres(standby, path, temporary: true, installation, primary.Resource.PasswordParameter, primary.Resource, []).Resource);
                }

                return database;
            });

    // primary: null for the primary (or the only server); else the server this standby streams from.
    private static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, string dataPath, bool temporary, PostgresInstallation installation,
        ParameterResource? password, LocalPostgresServerResource? primary, List<string> synchronousStandbys)
    {
        var runDirectory = Path.GetDirectoryName(dataPath)!;
        var dataDirectory = new LocalPostgresDataDirectory(installation, dataPath, primary);
        var launcher = ServerLauncher.PathFor(runDirectory, installation.Postgres);
        password ??= ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password");
        var server = new LocalPostgresServerResource(name, launcher, runDirectory, password)
        {
            Role = primary is not null ? LocalServerRoles.Standby : synchronousStandbys.Count > 0 ? LocalServerRoles.Primary : LocalServerRoles.Standalone,
        };

        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => MaintenanceConnectionString(server.ConnectionString), name: healthCheck);

        var resource = builder.AddLocalServer(server, dataDirectory.Launch(launcher, temporary, builder, name, synchronousStandbys), LocalServerHosting.FreeLoopbackPort(), "DatabaseMultiple")
            .WithHealthCheck(healthCheck);
        return primary is null ? resource : resource.WaitFor(builder.CreateResourceBuilder(primary)).WithParentRelationship(primary);
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

        // With standbys the primary's commits wait for one, but the standbys wait for this server to
        // be ready (that is, for this handler): the database itself is created without waiting, and
        // reaches them with the copy they start from.
        await using (var local = new NpgsqlCommand("SET synchronous_commit = local", connection))
        {
            await local.ExecuteNonQueryAsync(ct);
        }

        // Identifiers cannot be parameters; the name is quoted (and comes from the AppHost's own code).
        var quoted = "\"" + databaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync(ct);
    }
}
