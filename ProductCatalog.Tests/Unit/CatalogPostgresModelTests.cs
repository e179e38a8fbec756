namespace ProductCatalog.Tests.Unit;

/// <summary>The resources AddCatalogPostgres puts in the model, without starting anything.</summary>
public sealed class CatalogPostgresModelTests
{
    [Fact]
    public void Local_mode_adds_an_executable_server_and_a_database_with_the_container_shaped_connection_string()
    {
        var builder = DistributedApplication.CreateBuilder(["Catalog:Postgres:Mode=local", "Catalog:Postgres:BinDirectory=" + FakeInstallation()]);

        var database = builder.AddCatalogPostgres(CatalogResourceNames.Postgres, CatalogResourceNames.CatalogDatabase);

        var local = Assert.IsType<LocalPostgresDatabaseResource>(database.Resource);
        Assert.Equal(CatalogResourceNames.CatalogDatabase, local.Name);
        Assert.IsType<LocalPostgresServerResource>(local.Parent);
        Assert.Equal("{postgres.connectionString};Database=catalogdb", local.ConnectionStringExpression.ValueExpression);

        // Same shape as Aspire's own container resource, so consumers cannot tell the two apart.
        var reference = DistributedApplication.CreateBuilder([]).AddPostgres(CatalogResourceNames.Postgres);
        Assert.Equal(reference.Resource.ConnectionStringExpression.ValueExpression, local.Parent.ConnectionStringExpression.ValueExpression);
        Assert.Equal(
            reference.AddDatabase(CatalogResourceNames.CatalogDatabase).Resource.ConnectionStringExpression.ValueExpression,
            local.ConnectionStringExpression.ValueExpression);
        Assert.True(local.Parent.TryGetAnnotationsOfType<ManifestPublishingCallbackAnnotation>(out _), "the local server must stay out of the manifest");
    }

    [Fact]
    public void Standbys_are_servers_of_their_own_and_the_database_asks_for_whichever_is_primary()
    {
        var builder = DistributedApplication.CreateBuilder(
            ["Catalog:Postgres:Mode=local", "Catalog:Postgres:Persistent=false", $"{CatalogPostgresExtensions.StandbysKey}=1", "Catalog:Postgres:BinDirectory=" + FakeInstallation()]);

        var database = (LocalPostgresDatabaseResource)builder.AddCatalogPostgres(CatalogResourceNames.Postgres, CatalogResourceNames.CatalogDatabase).Resource;

        var servers = builder.Resources.OfType<LocalPostgresServerResource>().ToDictionary(s => s.Name, s => s.Role);
        Assert.Equal(new Dictionary<string, string>
        {
            [CatalogResourceNames.Postgres] = LocalServerRoles.Primary,
            [CatalogPostgresExtensions.StandbyName(CatalogResourceNames.Postgres, 1)] = LocalServerRoles.Standby,
        }, servers);
        Assert.Equal(
            "Host={postgres.bindings.tcp.host}:{postgres.bindings.tcp.port},{postgres-standby-1.bindings.tcp.host}:{postgres-standby-1.bindings.tcp.port};"
            + "Username=postgres;Password={postgres-password.value};Database=catalogdb;Target Session Attributes=primary;Host Recheck Seconds=1",
            database.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task The_dashboard_source_is_the_server_and_its_own_arguments()
    {
        var builder = DistributedApplication.CreateBuilder(["Catalog:Postgres:Mode=local", "Catalog:Postgres:Persistent=false", "Catalog:Postgres:BinDirectory=" + FakeInstallation()]);
        var server = ((LocalPostgresDatabaseResource)builder.AddCatalogPostgres(CatalogResourceNames.Postgres, CatalogResourceNames.CatalogDatabase).Resource).Parent;

        var configuration = await ExecutionConfigurationBuilder.Create(server).WithArgumentsConfig().BuildAsync(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            TestContext.Current.CancellationToken);

        Assert.Equal("postgres", Path.GetFileName(server.Command));
        Assert.Equal("-D", configuration.Arguments.First().Value);
        Assert.Equal(LocalServerRoles.Standalone, server.Role);
    }

    [Fact]
    public void Publish_mode_adds_the_standard_container_even_when_local_is_asked_for()
    {
        var builder = DistributedApplication.CreateBuilder(["--publisher", "manifest", "--output-path", Path.GetTempFileName(), "Catalog:Postgres:Mode=local"]);

        var database = builder.AddCatalogPostgres(CatalogResourceNames.Postgres, CatalogResourceNames.CatalogDatabase);

        var container = Assert.IsType<PostgresDatabaseResource>(database.Resource);
        Assert.Equal(CatalogResourceNames.CatalogDatabase, container.DatabaseName);
        Assert.IsType<PostgresServerResource>(container.Parent);
        Assert.Empty(builder.Resources.OfType<ExecutableResource>());
    }

    private static string FakeInstallation()
    {
        var dir = Directory.CreateTempSubdirectory("pc-fakepg-").FullName;
        File.WriteAllText(Path.Combine(dir, "initdb"), "");
        File.WriteAllText(Path.Combine(dir, "postgres"), "");
        return dir;
    }
}
