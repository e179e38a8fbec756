namespace ProductCatalog.AppHost.Postgres;

/// <summary>
/// A database on a <see cref="LocalPostgresServerResource"/>, created when the server is ready.
/// With standbys its connection string names every server and asks for the primary, so clients
/// follow a promotion without being told (Npgsql multi-host, as a deployed app reaches an HA
/// PostgreSQL).
/// </summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    /// <summary>The primary first, then its standbys.</summary>
    public List<LocalPostgresServerResource> Servers { get; } = [parent];

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            if (Servers.Count == 1)
            {
                return ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
            }

            var builder = new ReferenceExpressionBuilder();
            builder.AppendLiteral("Host=");
            for (var i = 0; i < Servers.Count; i++)
            {
                builder.AppendLiteral(i == 0 ? "" : ",");
                builder.Append($"{Servers[i].PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
            }

            // A host found to be a standby is asked again after a second, not Npgsql's default ten:
            // the api serves again within about a second of a promotion.
            builder.Append($";Username={LocalPostgresServerResource.UserName};Password={Parent.PasswordParameter};Database={DatabaseName}");
            builder.AppendLiteral(";Target Session Attributes=primary;Host Recheck Seconds=1");
            return builder.Build();
        }
    }
}
