namespace ProductCatalog.AppHost.Postgres;

/// <summary>A PostgreSQL server from a local installation; its connection string is shaped like the Aspire container's.</summary>
public sealed class LocalPostgresServerResource(string name, string launcher, string workingDirectory, ParameterResource password)
    : LocalServerResource(name, launcher, workingDirectory, password)
{
    public const string UserName = "postgres";

    public Dictionary<string, string> Databases { get; } = new(StringComparer.OrdinalIgnoreCase);

    public override ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");
}
