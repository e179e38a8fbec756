using Microsoft.Extensions.Configuration;

namespace ProductCatalog.AppHost.Postgres;

/// <summary>Where the deployed catalog database lives: configuration key <c>Catalog:Postgres:Publish</c>.</summary>
public enum PostgresPublishMode
{
    /// <summary>Quick start: the PostgreSQL container next to the app, its data on a named volume (Azure Files on ACA).</summary>
    Container,

    /// <summary>A managed server (e.g. Azure Database for PostgreSQL Flexible Server): a secret connection-string parameter.</summary>
    External,
}

/// <summary>The database as it is published (manifest, azd). Run mode never comes here.</summary>
public static class PublishedPostgres
{
    public const string SettingKey = "Catalog:Postgres:Publish";

    /// <summary>
    /// Fixed name of the container's data volume. Aspire's default name carries a hash of the AppHost's
    /// folder, which differs between a laptop and a CI runner: azd would then create a new, empty
    /// file share depending on where it ran.
    /// </summary>
    public const string DataVolumeName = "catalog-pgdata";

    public static PostgresPublishMode ModeFrom(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return BackingServiceOptions.ParsePublishMode(configuration[SettingKey], SettingKey, PostgresPublishMode.Container);
    }

    /// <summary>
    /// <see cref="PostgresPublishMode.Container"/>: the standard <c>postgres</c> container with its generated
    /// secret password and a persistent volume. <see cref="PostgresPublishMode.External"/>: no server
    /// resource; <paramref name="databaseName"/> becomes a secret connection-string parameter that azd
    /// asks for once (or reads from <c>AZD_INITIAL_ENVIRONMENT_CONFIG</c> in CI).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPublishedPostgres(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName)
    {
        if (ModeFrom(builder.Configuration) == PostgresPublishMode.External)
        {
            return builder.AddConnectionString(databaseName);
        }

        return builder.AddPostgres(serverName)
            .WithDataVolume(DataVolumeName)
            .AddDatabase(databaseName);
    }
}
