namespace ProductCatalog.AppHost.Messaging;

/// <summary>
/// A RabbitMQ node from a local installation. Its connection string is built exactly like Aspire's
/// <see cref="RabbitMQServerResource"/>, so consumers (and <c>Aspire.RabbitMQ.Client</c>) cannot
/// tell the two apart.
/// </summary>
public sealed class LocalRabbitMQServerResource(string name, string launcher, string workingDirectory, ParameterResource password)
    : LocalServerResource(name, launcher, workingDirectory, password)
{
    public const string ManagementEndpointName = "management";

    /// <summary>Aspire's container has this user when no user name parameter is given; so does this one.</summary>
    public const string UserName = "guest";

    private EndpointReference? _managementEndpoint;

    public EndpointReference ManagementEndpoint => _managementEndpoint ??= new(this, ManagementEndpointName);

    /// <summary>The Erlang node name (<c>name-id@localhost</c>), as the cluster and <c>rabbitmqctl -n</c> know it.</summary>
    public required string NodeName { get; init; }

    /// <summary>Where the running node wrote its process id (the Erlang VM, not its launcher).</summary>
    public required string PidFile { get; init; }

    /// <summary>The first node's fellow cluster members (empty for one node): they joined it.</summary>
    public List<LocalRabbitMQServerResource> ClusterNodes { get; } = [];

    public override ReferenceExpression ConnectionStringExpression
    {
        get
        {
            // Same pieces, in the same order and with the same formats, as RabbitMQServerResource.UriExpression.
            var builder = new ReferenceExpressionBuilder();
            builder.AppendLiteral("amqp://");
            builder.Append($"{UserName:uri}");
            builder.AppendLiteral(":");
            builder.Append($"{PasswordParameter:uri}");
            builder.AppendLiteral("@");
            builder.Append($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
            return builder.Build();
        }
    }
}

/// <summary>
/// Erlang's port mapper for the local nodes, run by DCP in the foreground: every node on this host
/// registers with it and finds the others through it, and it stops with the app instead of
/// outliving it as the daemon a broker would start.
/// </summary>
public sealed class LocalEpmdResource(string name, string command, string workingDirectory, int port)
    : ExecutableResource(name, command, workingDirectory)
{
    public int Port { get; } = port;
}
