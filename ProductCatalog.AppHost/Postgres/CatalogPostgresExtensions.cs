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
        this IDistributedApplicationBuilder builder, string serverName, string databaseName)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            // Container with a stable volume, or a managed server: see PublishedPostgres.
            return builder.AddPublishedPostgres(serverName, databaseName);
        }

        var options = BackingServiceOptions.From(builder.Configuration, SectionName);
        var plan = HostingPlan.Choose(
            Service,
            options.Mode,
            builder.ExecutionContext.IsPublishMode,
            () => ContainerRuntimeProbe.IsAvailable(builder.Configuration),
            () => PostgresInstallation.FindOnThisMachine(options.BinDirectory));

        return plan.Installation is null
            ? builder.AddContainerPostgres(serverName, databaseName, options)
            : builder.AddLocalPostgres(serverName, databaseName, options, plan.Installation);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddContainerPostgres(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName, BackingServiceOptions options)
    {
        var server = builder.AddPostgres(serverName);
        if (options.Persistent)
        {
            server.WithDataVolume();
        }

        var image = server.Resource.TryGetLastAnnotation<ContainerImageAnnotation>(out var annotation)
            ? $"{annotation.Image}:{annotation.Tag}"
            : "postgres";
        HostingChoice.LogAtStartup(builder, serverName, HostingChoice.Container(image, options.Persistent));

        return server.AddDatabase(databaseName);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName,
        BackingServiceOptions options, PostgresInstallation installation)
    {
        var dataPath = LocalDataDirectory.Resolve(options, builder.AppHostDirectory, "productcatalog-pg", "pgdata");
        var dataDirectory = new LocalPostgresDataDirectory(installation, dataPath);
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{serverName}-password");
        var (command, args) = dataDirectory.ServerCommand();
        var port = LocalPorts.FreeLoopbackPort();
        var temporary = LocalDataDirectory.IsTemporary(options);
        HostingChoice.LogAtStartup(builder, serverName, $"{HostingChoice.Local(installation.Postgres, dataPath, temporary)}, port {port}");

        var server = new LocalPostgresServerResource(serverName, command, Path.GetDirectoryName(dataPath)!, password);
        var database = new LocalPostgresDatabaseResource(databaseName, databaseName, server);
        server.Databases[databaseName] = databaseName;

        string? serverConnectionString = null;
        string? databaseConnectionString = null;

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (@event, ct) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            await dataDirectory.PrepareAsync(await password.GetValueAsync(ct) ?? "", logger, ct);
        });

        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            serverConnectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            databaseConnectionString = await database.ConnectionStringExpression.GetValueAsync(ct));

        // Same contract as Aspire's AddDatabase: the database exists once the server is ready.
        // Only container children get their state from DCP; the database mirrors its server here
        // and turns Running once it exists, which is when its health check (and WaitFor) start.
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (@event, ct) =>
        {
            await using var connection = new NpgsqlConnection(MaintenanceConnectionString(serverConnectionString));
            await connection.OpenAsync(ct);
            await CreateDatabaseIfMissingAsync(connection, databaseName, ct);
            await @event.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, state => state with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });
        builder.Eventing.Subscribe<InitializeResourceEvent>(database, (@event, ct) =>
        {
            _ = Task.Run(() => MirrorServerStoppedAsync(@event.Notifications, server, database, ct), ct);
            return Task.CompletedTask;
        });

        if (temporary)
        {
            LocalDataDirectory.DeleteWhenStopped(builder, dataPath);
        }

        var serverCheck = $"{serverName}_check";
        var databaseCheck = $"{databaseName}_check";
        builder.Services.AddHealthChecks()
            .AddNpgSql(_ => MaintenanceConnectionString(serverConnectionString), name: serverCheck)
            .AddNpgSql(_ => databaseConnectionString ?? throw new InvalidOperationException("Connection string is unavailable"), name: databaseCheck);

        builder.AddResource(server)
            .WithArgs(args)
            // Not proxied: behind DCP's proxy a stopped server still accepts TCP connections, so
            // clients hang until their connect timeout instead of failing fast.
            .WithEndpoint(port: port, targetPort: port, name: LocalPostgresServerResource.PrimaryEndpointName, scheme: "tcp", env: "PGPORT", isProxied: false)
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(serverCheck)
            .ExcludeFromManifest();

        return builder.AddResource(database)
            .WithIconName("Database")
            .WithHealthCheck(databaseCheck)
            .ExcludeFromManifest();
    }

    private static async Task MirrorServerStoppedAsync(
        ResourceNotificationService notifications, LocalPostgresServerResource server, LocalPostgresDatabaseResource database, CancellationToken ct)
    {
        await notifications.PublishUpdateAsync(database, state => state with
        {
            State = KnownResourceStates.Waiting,
            ResourceType = "PostgresDatabase",
            Properties = [.. state.Properties, new(CustomResourceKnownProperties.Source, server.Name)],
        });

        try
        {
            await foreach (var update in notifications.WatchAsync(ct))
            {
                if (update.Resource != server || update.Snapshot.State?.Text is not { } text)
                {
                    continue;
                }

                if (text == KnownResourceStates.Starting)
                {
                    // A restart from the dashboard: Running again once the server is ready.
                    await notifications.PublishUpdateAsync(database, state => state with { State = KnownResourceStates.Starting });
                }
                else if (KnownResourceStates.TerminalStates.Contains(text))
                {
                    await notifications.PublishUpdateAsync(database, state => state with
                    {
                        State = update.Snapshot.State,
                        StopTimeStamp = update.Snapshot.StopTimeStamp ?? DateTime.UtcNow,
                    });
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The app is shutting down.
        }
    }

    private static string MaintenanceConnectionString(string? serverConnectionString) =>
        new NpgsqlConnectionStringBuilder(serverConnectionString ?? throw new InvalidOperationException("Connection string is unavailable"))
        {
            Database = "postgres",
        }.ConnectionString;

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
