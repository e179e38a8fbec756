using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// Every kustomization in <c>deploy/kubernetes</c> renders, and every object it renders is valid
/// against the Kubernetes API's schemas (<see cref="KubernetesSchemas.KubernetesVersion"/>, unknown
/// fields rejected) or its CRD's schema. CloudNativePG and the RabbitMQ Cluster Operator publish no
/// schema package: their resources are checked field by field here against what those operators'
/// CRDs define (docs/deploy.md says how), and on a cluster by <c>kubectl apply --dry-run=server</c>.
/// </summary>
public sealed class KubernetesSchemaTests
{
    /// <summary>Custom resources no package serves a schema for, and what runs them.</summary>
    private static readonly Dictionary<string, string> s_operatorResources = new()
    {
        ["postgresql.cnpg.io/v1 Cluster"] = "CloudNativePG",
        //#if (events)
        ["rabbitmq.com/v1beta1 RabbitmqCluster"] = "RabbitMQ Cluster Operator",
        //#endif
    };

    /// <summary>CloudNativePG's quorum (any) and priority (first) synchronous replication.</summary>
    private static readonly string[] s_synchronousMethods = ["any", "first"];

    public static TheoryData<string> Kustomizations => new([.. KubernetesManifests.Overlays, KubernetesManifests.ArgoCd]);

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Every_rendered_object_is_valid_against_the_api_or_crd_schema(string kustomization)
    {
        var rendered = await KubernetesManifests.RenderAsync(kustomization);
        Assert.NotEmpty(rendered.Objects);
        Assert.True(rendered.Took < TimeSpan.FromSeconds(20), $"kubectl kustomize {kustomization} took {rendered.Took}");

        var results = await KubernetesSchemas.ValidateAsync(rendered.Objects);

        Assert.Equal(rendered.Objects.Count, results.Count);
        var problems = rendered.Objects.Zip(results)
            .Where(p => p.Second.Status == "invalid"
                || (p.Second.Status == "no-schema" && !s_operatorResources.ContainsKey($"{p.First["apiVersion"]} {KubernetesManifests.Kind(p.First)}")))
            .Select(p => $"{KubernetesManifests.Describe(p.First)}: {p.Second.Status} {string.Join("; ", p.Second.Errors)}")
            .ToList();
        Assert.True(problems.Count == 0, $"Kubernetes {KubernetesSchemas.KubernetesVersion} schemas:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public async Task The_validator_rejects_an_unknown_field_a_wrong_type_and_a_wrong_enum_value()
    {
        var staging = await KubernetesManifests.RenderAsync("staging");
        var deployment = staging.Single("Deployment", CatalogResourceNames.Api).DeepClone().AsObject();
        var container = KubernetesManifests.Container(deployment, CatalogResourceNames.Api);
        container["imagePullPolicy"] = "Sometimes";
        container["readinessProbe"]!["periodSecond"] = 5;
        deployment["spec"]!["replicas"] = "two";
        var application = (await KubernetesManifests.RenderAsync(KubernetesManifests.ArgoCd)).Single("Application", "productcatalog-staging").DeepClone().AsObject();
        application["spec"]!["syncPolicy"]!["automated"]!["selfheal"] = true;

        var results = await KubernetesSchemas.ValidateAsync([deployment, application]);

        Assert.All(results, r => Assert.Equal("invalid", r.Status));
        var errors = string.Join('\n', results.SelectMany(r => r.Errors));
        Assert.Contains("imagePullPolicy", errors, StringComparison.Ordinal);
        Assert.Contains("/readinessProbe/periodSecond: unknown field", errors, StringComparison.Ordinal);
        Assert.Contains("replicas", errors, StringComparison.Ordinal);
        Assert.Contains("/syncPolicy/automated/selfheal: unknown field", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_cluster_overlay_has_a_three_instance_postgres_cluster_with_synchronous_replication()
    {
        var rendered = await KubernetesManifests.RenderAsync("in-cluster");
        var cluster = rendered.Single("Cluster", "catalog-postgres");

        Assert.Equal("postgresql.cnpg.io/v1", cluster["apiVersion"]!.GetValue<string>());
        var spec = cluster["spec"]!.AsObject();
        // The fields of CloudNativePG 1.25+'s Cluster CRD used here (unknown ones would be pruned or rejected).
        AssertOnlyFields(spec, "spec", "instances", "primaryUpdateStrategy", "postgresql", "bootstrap", "storage", "resources", "affinity");
        Assert.Equal(3, spec["instances"]!.GetValue<long>());
        var synchronous = spec["postgresql"]!["synchronous"]!.AsObject();
        AssertOnlyFields(synchronous, "synchronous", "method", "number", "dataDurability");
        Assert.Contains(synchronous["method"]!.GetValue<string>(), s_synchronousMethods);
        Assert.InRange(synchronous["number"]!.GetValue<long>(), 1, spec["instances"]!.GetValue<long>() - 1);
        Assert.Equal("required", synchronous["dataDurability"]!.GetValue<string>());
        Assert.Equal(CatalogResourceNames.CatalogDatabase, spec["bootstrap"]!["initdb"]!["database"]!.GetValue<string>());
        Assert.Equal("topology.kubernetes.io/zone", spec["affinity"]!["topologyKey"]!.GetValue<string>());

        // CloudNativePG's read-write service and generated secret: <cluster>-rw, <cluster>-app.
        var api = KubernetesManifests.Container(rendered.Single("Deployment", CatalogResourceNames.Api), CatalogResourceNames.Api);
        var connection = Env(api, "ConnectionStrings__catalogdb")["value"]!.GetValue<string>();
        Assert.StartsWith("Host=catalog-postgres-rw;Port=5432;Database=catalogdb;Username=catalog;", connection, StringComparison.Ordinal);
        Assert.Equal("catalog-postgres-app", Env(api, "CATALOGDB_PASSWORD")["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>());
    }

    //#if (events)
    [Fact]
    public async Task In_cluster_overlay_has_a_three_node_rabbitmq_cluster_the_api_publishes_to()
    {
        var rendered = await KubernetesManifests.RenderAsync("in-cluster");
        var broker = rendered.Single("RabbitmqCluster", CatalogResourceNames.Messaging);

        Assert.Equal("rabbitmq.com/v1beta1", broker["apiVersion"]!.GetValue<string>());
        var spec = broker["spec"]!.AsObject();
        AssertOnlyFields(spec, "spec", "replicas", "resources", "persistence", "rabbitmq", "override");
        Assert.Equal(3, spec["replicas"]!.GetValue<long>());
        Assert.Contains("default_queue_type = quorum", spec["rabbitmq"]!["additionalConfig"]!.GetValue<string>(), StringComparison.Ordinal);

        // The operator's generated user secret is <name>-default-user; connection_string points at its service.
        var api = KubernetesManifests.Container(rendered.Single("Deployment", CatalogResourceNames.Api), CatalogResourceNames.Api);
        var secret = Env(api, "ConnectionStrings__messaging")["valueFrom"]!["secretKeyRef"]!;
        Assert.Equal("messaging-default-user", secret["name"]!.GetValue<string>());
        Assert.Equal("connection_string", secret["key"]!.GetValue<string>());
    }

    //#endif
    [Theory]
    [MemberData(nameof(KubernetesManifests.OverlayNames), MemberType = typeof(KubernetesManifests))]
    public async Task No_secret_value_is_rendered_from_git_but_the_local_example(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);

        var secrets = rendered.OfKind("Secret").ToList();
        if (overlay == "local")
        {
            // Generated from secrets/ (git-ignored); here the test filled it from secrets.example/.
            Assert.Equal(2, secrets.Count);
            Assert.Contains(secrets, s => KubernetesManifests.Name(s).StartsWith("catalog-secrets-", StringComparison.Ordinal));
            Assert.Contains(secrets, s => KubernetesManifests.Name(s) == "migrations-secrets");
            var ignored = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Kubernetes, "overlays", "local", ".gitignore"), TestContext.Current.CancellationToken);
            Assert.Contains("secrets/", ignored, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(secrets);
            Assert.Contains(rendered.OfKind("ExternalSecret"), e => KubernetesManifests.Name(e) == "catalog-secrets");
        }
    }

    private static JsonObject Env(JsonObject container, string name) =>
        container["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == name)!.AsObject();

    private static void AssertOnlyFields(JsonObject o, string where, params string[] known)
    {
        var unknown = o.Select(kv => kv.Key).Except(known).ToList();
        Assert.True(unknown.Count == 0, $"{where}: fields not checked against the operator's CRD: {string.Join(", ", unknown)}");
    }
}
