using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// Argo CD: one Application per environment (staging automated with self-heal, production manual),
/// the migrations Job as a PreSync hook whose prerequisites exist before it runs, and the workflow
/// that builds the images and moves staging to them.
/// </summary>
public sealed class KubernetesGitOpsTests
{
    private const string HookAnnotation = "argocd.argoproj.io/hook";
    private const string DeletePolicyAnnotation = "argocd.argoproj.io/hook-delete-policy";
    private const string WaveAnnotation = "argocd.argoproj.io/sync-wave";

    public static TheoryData<string, bool> Environments => new() { { "staging", true }, { "production", false } };

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Application_syncs_its_overlay_into_its_namespace(string environment, bool automated)
    {
        var argo = await KubernetesManifests.RenderAsync(KubernetesManifests.ArgoCd);
        var overlay = await KubernetesManifests.RenderAsync(environment);
        var application = argo.Single("Application", $"productcatalog-{environment}")["spec"]!;

        Assert.Equal($"deploy/kubernetes/overlays/{environment}", application["source"]!["path"]!.GetValue<string>());
        Assert.True(Directory.Exists(Path.Combine(RepositoryPaths.Root, application["source"]!["path"]!.GetValue<string>())));
        var ns = KubernetesManifests.Name(Assert.Single(overlay.OfKind("Namespace")));
        Assert.Equal(ns, application["destination"]!["namespace"]!.GetValue<string>());
        var project = argo.Single("AppProject", application["project"]!.GetValue<string>());
        Assert.Contains(project["spec"]!["destinations"]!.AsArray(), d => d!["namespace"]!.GetValue<string>() == ns);

        var sync = application["syncPolicy"]!;
        if (automated)
        {
            Assert.True(sync["automated"]!["selfHeal"]!.GetValue<bool>());
            Assert.True(sync["automated"]!["prune"]!.GetValue<bool>());
        }
        else
        {
            Assert.Null(sync["automated"]);
        }

        var options = sync["syncOptions"]!.AsArray().Select(o => o!.GetValue<string>()).ToList();
        Assert.Contains("CreateNamespace=true", options);
        Assert.Contains("RespectIgnoreDifferences=true", options);
        Assert.Equal("restricted", sync["managedNamespaceMetadata"]!["labels"]!["pod-security.kubernetes.io/enforce"]!.GetValue<string>());
        // The autoscaler owns the replica count.
        var ignored = Assert.Single(application["ignoreDifferences"]!.AsArray())!;
        Assert.Equal("Deployment", ignored["kind"]!.GetValue<string>());
        Assert.Equal(["/spec/replicas"], ignored["jsonPointers"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(KubernetesManifests.OverlayNames), MemberType = typeof(KubernetesManifests))]
    public async Task Migrations_job_is_a_presync_hook_whose_prerequisites_exist_before_it(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        var job = rendered.Single("Job", CatalogResourceNames.Migrations);
        var annotations = job["metadata"]!["annotations"]!;
        Assert.Equal("PreSync", annotations[HookAnnotation]!.GetValue<string>());
        Assert.Contains("BeforeHookCreation", annotations[DeletePolicyAnnotation]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Never", job["spec"]!["template"]!["spec"]!["restartPolicy"]!.GetValue<string>());
        var jobWave = Wave(job);

        // Argo CD runs PreSync hooks before it applies anything else: what the Job's pod needs must be a
        // PreSync hook of an earlier wave, optional, or made by an operator (in-cluster: CloudNativePG).
        var pod = KubernetesManifests.PodSpec(job)!;
        var needs = new List<(string Kind, string Name)> { ("ServiceAccount", pod["serviceAccountName"]!.GetValue<string>()) };
        var container = KubernetesManifests.Container(job, CatalogResourceNames.Migrations);
        needs.AddRange((container["env"]?.AsArray() ?? [])
            .Select(e => e!["valueFrom"]?["secretKeyRef"]?["name"]?.GetValue<string>())
            .OfType<string>()
            .Select(name => ("Secret", name)));
        foreach (var from in container["envFrom"]?.AsArray() ?? [])
        {
            Assert.True(from!["configMapRef"]?["optional"]?.GetValue<bool>() == true, "the Job's envFrom must be optional");
        }

        foreach (var (kind, name) in needs.Distinct())
        {
            if (kind == "Secret" && overlay == "in-cluster" && name == "catalog-postgres-app")
            {
                continue; // CloudNativePG writes it once the Cluster is up; docs/deploy.md orders the first sync
            }

            var source = kind == "Secret" ? SecretSource(rendered, name) : rendered.Single(kind, name);
            if (overlay == "local")
            {
                continue; // applied with kubectl, no hooks: it only has to be there, and it is
            }

            Assert.Equal("PreSync", source["metadata"]!["annotations"]?[HookAnnotation]?.GetValue<string>());
            Assert.True(Wave(source) < jobWave, $"{KubernetesManifests.Describe(source)} must come in an earlier wave than the Job");
            Assert.NotNull(source["metadata"]!["annotations"]![DeletePolicyAnnotation]);
        }
    }

    [Fact]
    public async Task Workflow_moves_only_staging_and_only_to_images_a_passed_ci_run_pushed()
    {
        var workflow = YamlJson.Load(Path.Combine(RepositoryPaths.Workflows, "kubernetes.yml"))!.AsObject();
        var ci = YamlJson.Load(Path.Combine(RepositoryPaths.Workflows, "ci.yml"))!.AsObject();

        // Started by CI's run on main, not by the push: the images are built and pushed once, by CI,
        // after its tests, and staging never gets an image whose tests failed.
        var run = workflow["on"]!["workflow_run"]!;
        Assert.Equal([ci["name"]!.GetValue<string>()], run["workflows"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Equal(["completed"], run["types"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(["main"], run["branches"]!.AsArray().Select(b => b!.GetValue<string>()));
        Assert.Null(workflow["on"]!["push"]);
        var jobs = workflow["jobs"]!.AsObject();
        var job = Assert.Single(jobs).Value!;
        var condition = job["if"]!.GetValue<string>();
        Assert.Contains("github.event.workflow_run.conclusion == 'success'", condition, StringComparison.Ordinal);
        // A pull request's CI pushes nothing, even from a fork's branch named main.
        Assert.Contains("github.event.workflow_run.event == 'push'", condition, StringComparison.Ordinal);
        Assert.Equal("write", job["permissions"]!["contents"]!.GetValue<string>());
        Assert.DoesNotContain(Runs(job), r => r.Contains("PublishContainer", StringComparison.Ordinal));

        // The tag is the one CI pushed for the commit it tested.
        var images = ci["jobs"]!["container-images"]!;
        Assert.Equal("build-and-test", images["needs"]!.GetValue<string>());
        Assert.Contains(Runs(images), r => r.Contains("-t:PublishContainer", StringComparison.Ordinal)
            && r.Contains("ProductCatalog.Api ProductCatalog.MigrationService", StringComparison.Ordinal)
            && r.Contains("tags=\"sha-${SHA::12}\"", StringComparison.Ordinal));
        var push = images["steps"]!.AsArray().Single(s => s!["run"]?.GetValue<string>().Contains("-t:PublishContainer", StringComparison.Ordinal) == true)!;
        Assert.Equal("${{ github.sha }}", push["env"]!["SHA"]!.GetValue<string>());
        Assert.StartsWith("${{ github.event.workflow_run.head_sha", job["env"]!["SHA"]!.GetValue<string>(), StringComparison.Ordinal);
        // The tag is taken from the full hash, checked to be on main, and staging never moves back to an older commit.
        var tag = Assert.Single(Runs(job), r => r.Contains("tag=sha-${full::12}", StringComparison.Ordinal));
        Assert.Contains("git rev-parse --verify --quiet \"${SHA}^{commit}\"", tag, StringComparison.Ordinal);
        Assert.Contains("git merge-base --is-ancestor \"$full\" origin/main", tag, StringComparison.Ordinal);
        Assert.Contains("git merge-base --is-ancestor \"$full\" \"$running\"", tag, StringComparison.Ordinal);
        Assert.Equal(0L, job["steps"]![0]!["with"]!["fetch-depth"]!.GetValue<long>());

        var staging = job["steps"]!.AsArray().Single(s => s!["run"]?.GetValue<string>().Contains("kustomize edit set image", StringComparison.Ordinal) == true)!;
        Assert.Equal("deploy/kubernetes/overlays/staging", staging["working-directory"]!.GetValue<string>());
        var names = (await KubernetesManifests.RenderAsync("staging")).Objects
            .Where(o => KubernetesManifests.PodSpec(o) is not null)
            .Select(o => KubernetesManifests.Name(o) == CatalogResourceNames.Api ? "productcatalog-api" : "productcatalog-migrations");
        Assert.All(names, image => Assert.Contains($"\"{image}=ghcr.io/$OWNER/{image}:$TAG\"", staging["run"]!.GetValue<string>(), StringComparison.Ordinal));
        // Production moves by a reviewed pull request, never by this workflow.
        Assert.All(jobs.SelectMany(j => j.Value!["steps"]!.AsArray()), step =>
            Assert.DoesNotContain("overlays/production", step!.ToJsonString(), StringComparison.Ordinal));
    }

    private static long Wave(JsonObject o) =>
        long.Parse(o["metadata"]!["annotations"]?[WaveAnnotation]?.GetValue<string>() ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The Secret itself (generated) or the ExternalSecret that writes it.</summary>
    private static JsonObject SecretSource(KubernetesManifests.Rendered rendered, string name) =>
        rendered.Objects.SingleOrDefault(o => KubernetesManifests.Kind(o) == "Secret" && KubernetesManifests.Name(o) == name)
        ?? rendered.OfKind("ExternalSecret").SingleOrDefault(e => (e["spec"]!["target"]?["name"]?.GetValue<string>() ?? KubernetesManifests.Name(e)) == name)
        ?? throw new Xunit.Sdk.XunitException($"{rendered.Name}: nothing makes the Secret '{name}'.");

    private static List<string> Runs(JsonNode job) =>
        [.. job["steps"]!.AsArray().Select(s => s!["run"]?.GetValue<string>()).OfType<string>()];
}
