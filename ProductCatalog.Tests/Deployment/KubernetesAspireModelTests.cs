using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using HostingDefaults = Microsoft.Extensions.Hosting.Extensions;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// The kustomize overlays against the Aspire model they deploy: every variable the manifest gives
/// the api and the migration worker, the same literal values, secrets only from Secrets, the ports,
/// health paths and probe timings of the Container Apps templates, and the images CI builds.
/// </summary>
public sealed partial class KubernetesAspireModelTests
{
    private static readonly string[] s_probes = ["startupProbe", "livenessProbe", "readinessProbe"];

    public static TheoryData<string> Overlays => KubernetesManifests.OverlayNames;

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Api_gets_every_variable_of_the_manifest_with_its_value_or_from_a_secret(string overlay)
    {
        var manifest = await AspireManifest.DefaultAsync();
        var api = KubernetesManifests.Container((await KubernetesManifests.RenderAsync(overlay)).Single("Deployment", CatalogResourceNames.Api), CatalogResourceNames.Api);

        AssertManifestVariables(manifest, CatalogResourceNames.Api, api, overrides: []);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Migrations_get_every_variable_of_the_manifest_and_exit_when_done(string overlay)
    {
        var manifest = await AspireManifest.DefaultAsync();
        var migrations = KubernetesManifests.Container((await KubernetesManifests.RenderAsync(overlay)).Single("Job", CatalogResourceNames.Migrations), CatalogResourceNames.Migrations);

        // A Job must exit: the idle worker (KeepRunningAfterMigration) exists for Container Apps only;
        // sample data is each overlay's choice.
        AssertManifestVariables(manifest, CatalogResourceNames.Migrations, migrations, overrides: ["Catalog__KeepRunningAfterMigration", "Catalog__SeedSampleData"]);
        Assert.Equal("false", Variable(migrations, "Catalog__KeepRunningAfterMigration")["value"]!.GetValue<string>());
        Assert.True(bool.TryParse(Variable(migrations, "Catalog__SeedSampleData")["value"]!.GetValue<string>(), out _));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Telemetry_and_the_oidc_authority_are_configured(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        foreach (var (kind, name, container) in new[] { ("Deployment", CatalogResourceNames.Api, CatalogResourceNames.Api), ("Job", CatalogResourceNames.Migrations, CatalogResourceNames.Migrations) })
        {
            var workload = rendered.Single(kind, name);
            var configMapName = KubernetesManifests.Container(workload, container)["envFrom"]!.AsArray()
                .Single(e => e!["configMapRef"] is not null)!["configMapRef"]!["name"]!.GetValue<string>();
            var data = rendered.Single("ConfigMap", configMapName)["data"]!.AsObject();
            Assert.True(data.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
            Assert.Equal(ProductCatalog.Api.Security.CatalogAuthOptions.DefaultAudience, data["Catalog__Auth__Audience"]!.GetValue<string>());
            if (overlay != "local")
            {
                Assert.StartsWith("https://", data["Catalog__Auth__Authority"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.StartsWith("http", data["OTEL_EXPORTER_OTLP_ENDPOINT"]!.GetValue<string>(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Api_serves_http_on_the_port_and_health_paths_of_the_model(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        var api = KubernetesManifests.Container(rendered.Single("Deployment", CatalogResourceNames.Api), CatalogResourceNames.Api);

        var port = Assert.Single(api["ports"]!.AsArray())!;
        Assert.Equal("http", port["name"]!.GetValue<string>());
        var containerPort = port["containerPort"]!.GetValue<long>();
        Assert.Equal(containerPort.ToString(CultureInfo.InvariantCulture), Variable(api, "HTTP_PORTS")["value"]!.GetValue<string>());
        Assert.Equal(HostingDefaults.AlivenessEndpointPath, Probe(api, "startupProbe")["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(HostingDefaults.AlivenessEndpointPath, Probe(api, "livenessProbe")["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(HostingDefaults.HealthEndpointPath, Probe(api, "readinessProbe")["httpGet"]!["path"]!.GetValue<string>());
        Assert.All(s_probes, p => Assert.Equal("http", Probe(api, p)["httpGet"]!["port"]!.GetValue<string>()));
        // Readiness must outlast the app's own health-check timeout.
        Assert.True(Probe(api, "readinessProbe")["timeoutSeconds"]!.GetValue<long>() > HostingDefaults.HealthCheckTimeout.TotalSeconds);

        var service = rendered.Single("Service", CatalogResourceNames.Api);
        Assert.Equal("http", Assert.Single(service["spec"]!["ports"]!.AsArray())!["targetPort"]!.GetValue<string>());
        //#if (aca)

        var template = ContainerAppTemplateTests.Load(CatalogResourceNames.Api);
        Assert.Equal(template["properties"]!["configuration"]!["ingress"]!["targetPort"]!.GetValue<long>(), containerPort);
        //#endif
    }

    //#if (aca)
    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Probe_timings_equal_the_container_apps_template(string overlay)
    {
        var api = KubernetesManifests.Container((await KubernetesManifests.RenderAsync(overlay)).Single("Deployment", CatalogResourceNames.Api), CatalogResourceNames.Api);
        var template = ContainerAppTemplateTests.Container(ContainerAppTemplateTests.Load(CatalogResourceNames.Api));
        var probes = template["probes"]!.AsArray().ToDictionary(p => p!["type"]!.GetValue<string>(), p => p!.AsObject());

        foreach (var (type, field) in new[] { ("Startup", "startupProbe"), ("Liveness", "livenessProbe"), ("Readiness", "readinessProbe") })
        {
            var expected = probes[type];
            var actual = Probe(api, field);
            Assert.Equal(expected["httpGet"]!["path"]!.GetValue<string>(), actual["httpGet"]!["path"]!.GetValue<string>());
            foreach (var timing in new[] { "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold" })
            {
                Assert.True(
                    (expected[timing]?.GetValue<long>() ?? 0) == (actual[timing]?.GetValue<long>() ?? 0),
                    $"{overlay} {field}.{timing}: {actual[timing]} (Container Apps: {expected[timing]})");
            }
        }
    }

    [Fact]
    public async Task Production_has_the_resources_and_replica_bounds_of_container_apps()
    {
        var production = await KubernetesManifests.RenderAsync("production");
        foreach (var (kind, name) in new[] { ("Deployment", CatalogResourceNames.Api), ("Job", CatalogResourceNames.Migrations) })
        {
            var resources = KubernetesManifests.Container(production.Single(kind, name), name)["resources"]!["requests"]!;
            var template = ContainerAppTemplateTests.Container(ContainerAppTemplateTests.Load(name))["resources"]!;
            Assert.Equal(template["cpu"]!.GetValue<double>(), Quantity(resources["cpu"]!.ToString()));
            Assert.Equal(Quantity(template["memory"]!.GetValue<string>()), Quantity(resources["memory"]!.ToString()));
        }

        var scale = ContainerAppTemplateTests.Load(CatalogResourceNames.Api)["properties"]!["template"]!["scale"]!;
        var hpa = production.Single("HorizontalPodAutoscaler", CatalogResourceNames.Api)["spec"]!;
        Assert.True(hpa["minReplicas"]!.GetValue<long>() >= scale["minReplicas"]!.GetValue<long>());
        Assert.Equal(scale["maxReplicas"]!.GetValue<long>(), hpa["maxReplicas"]!.GetValue<long>());
    }

    //#endif
    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Termination_grace_covers_the_pre_stop_wait_and_the_apis_shutdown_timeout(string overlay)
    {
        var deployment = (await KubernetesManifests.RenderAsync(overlay)).Single("Deployment", CatalogResourceNames.Api);
        var api = KubernetesManifests.Container(deployment, CatalogResourceNames.Api);
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "ProductCatalog.Api", "CatalogApiExtensions.cs"), TestContext.Current.CancellationToken);
        var match = ShutdownTimeout().Match(source);
        Assert.True(match.Success, "CatalogApiExtensions.cs no longer sets HostOptions.ShutdownTimeout = TimeSpan.FromSeconds(n): update this test and the grace period.");
        var shutdown = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);

        var preStop = api["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!.GetValue<long>();
        var grace = KubernetesManifests.PodSpec(deployment)!["terminationGracePeriodSeconds"]!.GetValue<long>();
        Assert.InRange(preStop, 1, 15);
        Assert.InRange(grace, preStop + shutdown + 1, preStop + shutdown + 15);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Images_are_the_ones_ci_builds_and_pushes(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        var workflow = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Workflows, "ci.yml"), TestContext.Current.CancellationToken);

        foreach (var (kind, name, project) in new[] { ("Deployment", CatalogResourceNames.Api, "ProductCatalog.Api"), ("Job", CatalogResourceNames.Migrations, "ProductCatalog.MigrationService") })
        {
            var repository = ContainerRepository(project);
            var image = KubernetesManifests.Container(rendered.Single(kind, name), name)["image"]!.GetValue<string>();
            if (overlay == "local")
            {
                // Built into the local Docker with the SDK's default tags (VersionPrefix;latest), not pushed.
                Assert.Equal($"{repository}:1.0.0", image);
                continue;
            }

            // .github/workflows/ci.yml pushes ghcr.io/<owner>/<ContainerRepository>:sha-<12 hex> from main.
            var parsed = PushedImage().Match(image);
            Assert.True(parsed.Success, $"{overlay}: {image} is not ghcr.io/<owner>/{repository}:sha-<12 hex digits>");
            Assert.Equal(repository, parsed.Groups["repository"].Value);
            Assert.Contains($"-p:ContainerRegistry=ghcr.io", workflow, StringComparison.Ordinal);
            Assert.Contains("sha-${SHA::12}", workflow, StringComparison.Ordinal);
        }
    }

    private static void AssertManifestVariables(AspireManifest.Generated manifest, string resource, JsonObject container, string[] overrides)
    {
        var env = container["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        // A reference also adds <RESOURCE>_HOST, _PASSWORD, _URI ... unless the AppHost's Container Apps
        // publishing turns them off; the code reads only ConnectionStrings__<resource>.
        var splitPrefixes = manifest.Resources.Where(r => r.Value?["connectionString"] is not null)
            .Select(r => r.Key.ToUpperInvariant().Replace('-', '_') + "_").ToList();
        foreach (var (name, value) in manifest.Resource(resource)["env"]!.AsObject())
        {
            if (splitPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }

            var text = value!.GetValue<string>();
            var index = env.FindIndex(e => e["name"]!.GetValue<string>() == name);
            Assert.True(index >= 0, $"{resource}: the manifest sets {name}; the overlay does not.");
            var entry = env[index];
            if (overrides.Contains(name) || text.Contains(".bindings.", StringComparison.Ordinal))
            {
                continue; // checked by the caller, or a port (checked against the container port)
            }

            if (manifest.IsSecret(text))
            {
                AssertFromSecrets(env, index, name);
            }
            else
            {
                Assert.Equal(text, entry["value"]?.GetValue<string>());
            }
        }
    }

    /// <summary>
    /// A secret variable comes from a Secret key named as its Container App secret (azd's rule:
    /// lower case, <c>__</c> as <c>--</c>) or from an operator's generated Secret (its own key
    /// names), or is put together, with <c>$(VAR)</c>, from variables defined before it that come
    /// from Secrets.
    /// </summary>
    private static void AssertFromSecrets(List<JsonObject> env, int index, string name)
    {
        var entry = env[index];
        if (entry["valueFrom"]?["secretKeyRef"] is { } reference)
        {
            var secret = reference["name"]!.GetValue<string>();
            if (secret.StartsWith("catalog-secrets", StringComparison.Ordinal) || secret == "migrations-secrets")
            {
                Assert.Equal(name.ToLowerInvariant().Replace("__", "--", StringComparison.Ordinal), reference["key"]!.GetValue<string>());
            }

            return;
        }

        var value = entry["value"]?.GetValue<string>() ?? "";
        var parts = VariableReference().Matches(value).Select(m => m.Groups[1].Value).ToList();
        Assert.True(parts.Count > 0, $"{name} holds a secret but is a plain value.");
        Assert.DoesNotMatch(LiteralPassword(), value);
        foreach (var part in parts)
        {
            var defined = env.FindIndex(e => e["name"]!.GetValue<string>() == part);
            Assert.True(defined >= 0 && defined < index, $"{name} uses $({part}), which must be defined before it.");
            Assert.NotNull(env[defined]["valueFrom"]?["secretKeyRef"]);
        }
    }

    private static JsonObject Variable(JsonObject container, string name) =>
        container["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == name)!.AsObject();

    private static JsonObject Probe(JsonObject container, string field) =>
        container[field]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"{container["name"]} has no {field}.");

    private static string ContainerRepository(string project) =>
        XDocument.Load(Path.Combine(RepositoryPaths.Root, project, project + ".csproj"))
            .Descendants("ContainerRepository").Single().Value;

    /// <summary>A Kubernetes quantity (500m, 1, 512Mi, 1Gi, 0.5Gi) as a number (cores, bytes).</summary>
    private static double Quantity(string quantity)
    {
        var match = QuantityPattern().Match(quantity);
        Assert.True(match.Success, $"not a quantity: {quantity}");
        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "m" => number / 1000,
            "Ki" => number * 1024,
            "Mi" => number * 1024 * 1024,
            "Gi" => number * 1024 * 1024 * 1024,
            _ => number,
        };
    }

    [GeneratedRegex(@"ShutdownTimeout = TimeSpan\.FromSeconds\((\d+)\)")]
    private static partial Regex ShutdownTimeout();

    [GeneratedRegex(@"^ghcr\.io/[a-z0-9-]+/(?<repository>[a-z0-9-]+):sha-[0-9a-f]{12}$")]
    private static partial Regex PushedImage();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"(?i)password=(?!\$\()")]
    private static partial Regex LiteralPassword();

    [GeneratedRegex(@"^([0-9.]+)(m|Ki|Mi|Gi)?$")]
    private static partial Regex QuantityPattern();
}
