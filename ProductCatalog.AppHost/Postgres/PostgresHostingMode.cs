namespace ProductCatalog.AppHost.Postgres;

/// <summary>How the AppHost runs PostgreSQL: configuration key <c>Catalog:Postgres:Mode</c>.</summary>
public enum PostgresHostingMode
{
    /// <summary>A container where a container runtime answers, else a local installation.</summary>
    Auto,

    /// <summary>The standard Aspire PostgreSQL container.</summary>
    Container,

    /// <summary>A locally installed PostgreSQL started as an executable resource.</summary>
    Local,
}
