using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// The SDK container settings (<c>dotnet publish /t:PublishContainer</c>, no Dockerfile) as MSBuild
/// evaluates them. Nothing is pulled or built here: CI builds the images.
/// </summary>
public sealed class ContainerImageTests
{
    public static TheoryData<string, string, string> Images => new()
    {
        { "ProductCatalog.Api", "productcatalog-api", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled" },
        { "ProductCatalog.MigrationService", "productcatalog-migrations", "mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public async Task Image_is_a_small_chiseled_runtime_run_as_non_root_with_tags_and_labels(string project, string repository, string baseImage)
    {
        var config = await ContainerConfigAsync(project);
        var properties = config["Properties"]!;

        Assert.Equal(repository, properties["ContainerRepository"]!.GetValue<string>());
        Assert.Equal(baseImage, properties["ContainerBaseImage"]!.GetValue<string>());
        Assert.Equal("app", properties["ContainerUser"]!.GetValue<string>());
        Assert.Equal("1.0.0;latest", properties["ContainerImageTags"]!.GetValue<string>());

        var labels = config["Items"]!["ContainerLabel"]!.AsArray()
            .ToDictionary(l => l!["Identity"]!.GetValue<string>(), l => l!["Value"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(labels["org.opencontainers.image.title"]));
        Assert.False(string.IsNullOrWhiteSpace(labels["org.opencontainers.image.description"]));
        Assert.Equal("MIT", labels["org.opencontainers.image.licenses"]);
        Assert.Equal(baseImage, labels["org.opencontainers.image.base.name"]);
    }

    [Fact]
    public async Task A_callers_tag_wins_over_the_default_tags_as_azd_passes_one()
    {
        // azd runs dotnet publish -p:ContainerImageTag=...; setting both properties is an SDK error.
        var config = await ContainerConfigAsync("ProductCatalog.Api", "-p:ContainerImageTag=azd-deploy-1");

        Assert.Equal("", config["Properties"]!["ContainerImageTags"]!.GetValue<string>());
        Assert.Equal("azd-deploy-1", config["Properties"]!["ContainerImageTag"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_api_image_caps_glibc_malloc_arenas_in_its_environment()
    {
        // Deployed replicas get no such variable from azd or the Kubernetes manifests: the image carries it.
        var config = await ContainerConfigAsync("ProductCatalog.Api", "-getItem:ContainerEnvironmentVariable");

        var environment = config["Items"]!["ContainerEnvironmentVariable"]!.AsArray()
            .ToDictionary(v => v!["Identity"]!.GetValue<string>(), v => v!["Value"]!.GetValue<string>());
        Assert.Equal("2", environment["MALLOC_ARENA_MAX"]);
    }

    private static async Task<JsonNode> ContainerConfigAsync(string project, params string[] extra)
    {
        var startInfo = new ProcessStartInfo("dotnet",
            [
                "msbuild", Path.Combine(RepositoryPaths.Root, project, project + ".csproj"), "-nologo",
                "-t:ComputeContainerConfig", "-p:Configuration=" + RepositoryPaths.Configuration,
                "-getProperty:ContainerRepository", "-getProperty:ContainerBaseImage", "-getProperty:ContainerUser",
                "-getProperty:ContainerImageTags", "-getProperty:ContainerImageTag", "-getItem:ContainerLabel", .. extra,
            ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
        };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start dotnet msbuild.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"dotnet msbuild failed ({process.ExitCode}):\n{output}\n{await stderr}");
        return JsonNode.Parse(output)!;
    }
}
