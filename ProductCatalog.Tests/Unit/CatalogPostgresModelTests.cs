namespace ProductCatalog.Tests.Unit;

/// <summary>The resources AddCatalogPostgres puts in the model, without starting anything.</summary>
public sealed class CatalogPostgresModelTests
{
    [Fact]
    public void Local_mode_adds_an_executable_server_and_a_database_with_the_container_shaped_connection_string()
    {
        var builder = DistributedApplication.CreateBuilder(["Catalog:Postgres:Mode=local", "Catalog:Postgres:BinDirectory=" + FakeInstallation()]);

        var database = builder.AddCatalogPostgres("postgres", "catalogdb");

        var local = Assert.IsType<LocalPostgresDatabaseResource>(database.Resource);
        Assert.Equal("catalogdb", local.Name);
        Assert.IsType<LocalPostgresServerResource>(local.Parent);
        Assert.Equal("{postgres.connectionString};Database=catalogdb", local.ConnectionStringExpression.ValueExpression);

        // Same shape as Aspire's own container resource, so consumers cannot tell the two apart.
        var reference = DistributedApplication.CreateBuilder([]).AddPostgres("postgres");
        Assert.Equal(reference.Resource.ConnectionStringExpression.ValueExpression, local.Parent.ConnectionStringExpression.ValueExpression);
        Assert.Equal(
            reference.AddDatabase("catalogdb").Resource.ConnectionStringExpression.ValueExpression,
            local.ConnectionStringExpression.ValueExpression);
        Assert.True(local.Parent.TryGetAnnotationsOfType<ManifestPublishingCallbackAnnotation>(out _), "the local server must stay out of the manifest");
    }

    [Fact]
    public void Publish_mode_adds_the_standard_container_even_when_local_is_asked_for()
    {
        var builder = DistributedApplication.CreateBuilder(["--publisher", "manifest", "--output-path", Path.GetTempFileName(), "Catalog:Postgres:Mode=local"]);

        var database = builder.AddCatalogPostgres("postgres", "catalogdb");

        var container = Assert.IsType<PostgresDatabaseResource>(database.Resource);
        Assert.Equal("catalogdb", container.DatabaseName);
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
