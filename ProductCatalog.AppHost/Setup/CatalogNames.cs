namespace ProductCatalog.AppHost.Setup;

/// <summary>
/// The names of the app model's resources, written once: the AppHost declares them, the tests
/// find resources, connection strings and manifest entries by them, and the dashboard shows them.
/// </summary>
public static class CatalogResourceNames
{
    public const string Api = "api";
    public const string Postgres = "postgres";
    public const string CatalogDatabase = "catalogdb";
    public const string Messaging = "messaging";
    public const string Migrations = "migrations";
    public const string CursorSigningKey = "cursor-signing-key";
    public const string AuthSigningKey = DevelopmentToken.SigningKeyParameter;
}

/// <summary>The settings the AppHost passes to the projects, as environment variable names.</summary>
public static class CatalogProjectSettings
{
    public const string SeedSampleData = "Catalog__SeedSampleData";
    public const string CursorSigningKey = "Catalog__CursorSigningKey";
    public const string AuthSigningKey = "Catalog__Auth__SigningKey";
    public const string AuthAuthority = "Catalog__Auth__Authority";
    public const string AuthAudience = "Catalog__Auth__Audience";

    /// <summary>A local RabbitMQ cluster's nodes, <c>host:port,host:port</c> (the api's Catalog:Events:BrokerEndpoints).</summary>
    public const string BrokerEndpoints = "Catalog__Events__BrokerEndpoints";
}
