namespace ProductCatalog.AppHost.Hosting;

/// <summary>
/// A server from a local installation (PostgreSQL, a RabbitMQ node), run by DCP as an executable
/// through a launcher named after the server. Its connection string has the shape of the Aspire
/// container's, so consumers cannot tell the two apart.
/// </summary>
public abstract class LocalServerResource(string name, string launcher, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, launcher, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <summary>What this server is in its group ("primary", "standby", "node"): a property on the dashboard.</summary>
    public string Role { get; init; } = LocalServerRoles.Standalone;

    public abstract ReferenceExpression ConnectionStringExpression { get; }

    /// <summary>
    /// The resolved connection string, captured when DCP allocated the endpoint; health checks and
    /// the set-up steps after start read it (they run outside any expression evaluation).
    /// </summary>
    public string ConnectionString
    {
        get => _connectionString ?? throw new InvalidOperationException($"The connection string of {Name} is unavailable until it starts.");
        internal set => _connectionString = value;
    }

    private string? _connectionString;
}

/// <summary>The roles a <see cref="LocalServerResource"/> shows.</summary>
public static class LocalServerRoles
{
    public const string PropertyName = "catalog.role";
    public const string Standalone = "single server";
    public const string Primary = "primary";
    public const string Standby = "standby";
    public const string ClusterNode = "cluster node";
}
