namespace ProductCatalog.AppHost.Messaging;

/// <summary>
/// A RabbitMQ broker from a local installation, run by DCP as an executable. Its connection
/// string is built exactly like Aspire's <see cref="RabbitMQServerResource"/>, so consumers
/// (and <c>Aspire.RabbitMQ.Client</c>) cannot tell the two apart.
/// </summary>
public sealed class LocalRabbitMQServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";
    public const string ManagementEndpointName = "management";

    /// <summary>Aspire's container has this user when no user name parameter is given; so does this one.</summary>
    public const string UserName = "guest";

    private EndpointReference? _primaryEndpoint;
    private EndpointReference? _managementEndpoint;

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public EndpointReference ManagementEndpoint => _managementEndpoint ??= new(this, ManagementEndpointName);

    public ReferenceExpression ConnectionStringExpression
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
