using System.Text.RegularExpressions;

namespace ProductCatalog.Tests.Deployment;

/// <summary><c>azure.yaml</c>: what <c>azd up</c> reads first.</summary>
public sealed class AzureYamlTests
{
    private static readonly string s_path = Path.Combine(RepositoryPaths.Root, "azure.yaml");

    [Fact]
    public void Azure_yaml_is_valid_against_azds_schema()
    {
        Assert.Empty(SchemaValidation.Errors("azure.yaml.v1.0.offline.schema.json", YamlJson.Load(s_path)));
    }

    [Fact]
    public void Azure_yaml_has_the_AppHost_as_its_one_container_app_service()
    {
        var document = YamlJson.Load(s_path)!;

        Assert.Matches(new Regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), document["name"]!.GetValue<string>());
        var (name, service) = Assert.Single(document["services"]!.AsObject());
        Assert.Matches(new Regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), name);
        Assert.Equal("dotnet", service!["language"]!.GetValue<string>());
        Assert.Equal("containerapp", service["host"]!.GetValue<string>());
        var project = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, service["project"]!.GetValue<string>()));
        Assert.Equal(RepositoryPaths.AppHostProject, project);
    }

    [Fact]
    public void Azd_infra_overrides_sit_next_to_the_AppHost_and_there_is_no_top_level_infra_folder()
    {
        // azd generates main.bicep/resources.bicep in memory when there is no infra folder, and reads
        // <AppHost folder>/infra/<resource>.tmpl.yaml instead of generating that resource's Container App.
        Assert.False(Directory.Exists(Path.Combine(RepositoryPaths.Root, "infra")));
        Assert.Equal(
            ["api.tmpl.yaml", "migrations.tmpl.yaml"],
            Directory.GetFiles(RepositoryPaths.AppHostInfra).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
