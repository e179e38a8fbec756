using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// The GitHub workflows' deployment-relevant shape. actionlint (<c>.ci/lint-workflows</c>, run by
/// <c>.ci/run</c> and by CI) checks their syntax, expressions and action inputs.
/// </summary>
public sealed class WorkflowTests
{
    [Fact]
    public void Ci_runs_on_push_and_pull_request_and_checks_format_tests_and_images()
    {
        var workflow = Load("ci.yml");
        var on = workflow["on"]!.AsObject();
        Assert.True(on.ContainsKey("push"));
        Assert.True(on.ContainsKey("pull_request"));

        var runs = Runs(workflow);
        Assert.Contains(runs, r => r.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains("dotnet build", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains("dotnet format", StringComparison.Ordinal) && r.Contains("--verify-no-changes", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains("dotnet test", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains(".ci/coverage/run", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains("-t:PublishContainer", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains(".ci/lint-workflows", StringComparison.Ordinal));
        Assert.Contains(Uses(workflow), u => u.StartsWith("actions/upload-artifact@", StringComparison.Ordinal));
    }

    //#if (aca)
    [Fact]
    public void Deploy_uses_oidc_and_goes_to_staging_then_production()
    {
        var workflow = Load("azure-dev.yml");

        Assert.Equal("write", workflow["permissions"]!["id-token"]!.GetValue<string>());
        Assert.Equal(["main"], workflow["on"]!["push"]!["branches"]!.AsArray().Select(b => b!.GetValue<string>()));
        var jobs = workflow["jobs"]!.AsObject();
        Assert.Equal("staging", jobs["staging"]!["environment"]!["name"]!.GetValue<string>());
        Assert.Equal("production", jobs["production"]!["environment"]!["name"]!.GetValue<string>());
        Assert.Equal("staging", jobs["production"]!["needs"]!.GetValue<string>());

        foreach (var (_, job) in jobs)
        {
            var runs = job!["steps"]!.AsArray().Select(s => s!["run"]?.GetValue<string>() ?? "").ToList();
            Assert.Contains(runs, r => r.Contains("--federated-credential-provider github", StringComparison.Ordinal));
            Assert.Contains("azd provision --no-prompt", runs);
            Assert.Contains("azd deploy --no-prompt", runs);
            Assert.Contains(job["steps"]!.AsArray(), s => s!["uses"]?.GetValue<string>().StartsWith("Azure/setup-azd@", StringComparison.Ordinal) == true);
        }

        // No stored Azure credential: sign-in is federated, not a client secret.
        Assert.DoesNotContain("AZURE_CREDENTIALS", File.ReadAllText(Path.Combine(RepositoryPaths.Workflows, "azure-dev.yml")), StringComparison.Ordinal);
    }

    //#endif
    private static JsonObject Load(string file) => YamlJson.Load(Path.Combine(RepositoryPaths.Workflows, file))!.AsObject();

    private static List<string> Runs(JsonObject workflow) => [.. Steps(workflow).Select(s => s["run"]?.GetValue<string>()).OfType<string>()];

    private static List<string> Uses(JsonObject workflow) => [.. Steps(workflow).Select(s => s["uses"]?.GetValue<string>()).OfType<string>()];

    private static IEnumerable<JsonObject> Steps(JsonObject workflow) =>
        workflow["jobs"]!.AsObject().SelectMany(j => j.Value!["steps"]!.AsArray()).Select(s => s!.AsObject());
}
