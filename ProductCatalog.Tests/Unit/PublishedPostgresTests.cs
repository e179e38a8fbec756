using Microsoft.Extensions.Configuration;

namespace ProductCatalog.Tests.Unit;

public sealed class PublishedPostgresTests
{
    [Theory]
    [InlineData(null, PostgresPublishMode.Container)]
    [InlineData("", PostgresPublishMode.Container)]
    [InlineData("container", PostgresPublishMode.Container)]
    [InlineData(" External ", PostgresPublishMode.External)]
    public void Publish_setting_is_parsed_case_insensitively_with_the_container_as_default(string? value, PostgresPublishMode expected)
    {
        Assert.Equal(expected, PublishedPostgres.ModeFrom(Configuration(value)));
    }

    [Theory]
    [InlineData("flexible")]
    [InlineData("1")]
    [InlineData("local")]
    public void Unknown_publish_setting_is_rejected_with_the_allowed_values(string value)
    {
        var error = Assert.Throws<CatalogSetupException>(() => PublishedPostgres.ModeFrom(Configuration(value)));

        Assert.Contains("container, external", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_mode_ignores_the_publish_setting()
    {
        var bin = Directory.CreateTempSubdirectory("pc-fakepg-").FullName;
        File.WriteAllText(Path.Combine(bin, "initdb"), "");
        File.WriteAllText(Path.Combine(bin, "postgres"), "");
        var builder = DistributedApplication.CreateBuilder(
            ["Catalog:Postgres:Publish=external", "Catalog:Postgres:Mode=local", "Catalog:Postgres:BinDirectory=" + bin]);

        var database = builder.AddCatalogPostgres(CatalogResourceNames.Postgres, CatalogResourceNames.CatalogDatabase);

        Assert.IsType<LocalPostgresDatabaseResource>(database.Resource);
    }

    [Fact]
    public void Publish_mode_external_adds_only_a_secret_connection_string_parameter()
    {
        var builder = DistributedApplication.CreateBuilder(
            ["--publisher", "manifest", "--output-path", Path.GetTempFileName(), "Catalog:Postgres:Publish=external"]);

        var database = builder.AddCatalogPostgres(CatalogResourceNames.Postgres, CatalogResourceNames.CatalogDatabase);

        var parameter = Assert.IsType<ParameterResource>(database.Resource, exactMatch: false);
        Assert.True(parameter.Secret);
        Assert.Equal(CatalogResourceNames.CatalogDatabase, parameter.Name);
        Assert.DoesNotContain(builder.Resources, r => r.Name == CatalogResourceNames.Postgres);
    }

    private static IConfiguration Configuration(string? value) =>
        new ConfigurationBuilder().AddInMemoryCollection([new(PublishedPostgres.SettingKey, value)]).Build();
}
