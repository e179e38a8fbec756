using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// The checks kube-score and Polaris make, for every workload of every overlay: requests and limits,
/// probes, non-root, read-only root filesystem, no privilege escalation or capabilities, seccomp, a
/// pinned tag, no API token, a PodDisruptionBudget for every multi-replica Deployment, autoscaling
/// bounds of at least two, NetworkPolicies, and the namespace's Pod Security level.
/// </summary>
public sealed class KubernetesPolicyTests
{
    public static TheoryData<string> Overlays => KubernetesManifests.OverlayNames;

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_container_has_requests_limits_a_pinned_image_and_a_locked_down_security_context(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        var workloads = Workloads(rendered).ToList();
        Assert.NotEmpty(workloads);

        foreach (var workload in workloads)
        {
            var pod = KubernetesManifests.PodSpec(workload)!;
            var where = KubernetesManifests.Describe(workload);
            Assert.True(pod["automountServiceAccountToken"]?.GetValue<bool>() == false, $"{where}: mounts an API token");
            var serviceAccount = pod["serviceAccountName"]?.GetValue<string>();
            Assert.False(serviceAccount is null or "default", $"{where}: runs as the default service account");
            Assert.True(rendered.Single("ServiceAccount", serviceAccount!)["automountServiceAccountToken"]?.GetValue<bool>() == false);
            Assert.Equal("RuntimeDefault", pod["securityContext"]?["seccompProfile"]?["type"]?.GetValue<string>());
            Assert.True(pod["securityContext"]?["runAsNonRoot"]?.GetValue<bool>() == true, $"{where}: runAsNonRoot");
            Assert.True(pod["securityContext"]?["runAsUser"]?.GetValue<long>() > 0, $"{where}: runAsUser must be a non-root UID");
            Assert.Null(pod["hostNetwork"]);
            Assert.Null(pod["hostPID"]);

            foreach (var container in KubernetesManifests.Containers(pod))
            {
                var at = $"{where} container {container["name"]}";
                foreach (var kind in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        Assert.True(container["resources"]?[kind]?[resource] is not null, $"{at}: no {kind}.{resource}");
                    }
                }

                Assert.Equal(container["resources"]!["requests"]!["memory"]!.ToString(), container["resources"]!["limits"]!["memory"]!.ToString());
                var image = container["image"]!.GetValue<string>();
                var tag = image.Contains('@', StringComparison.Ordinal) ? "digest" : image[(image.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);
                Assert.False(tag is null or "latest", $"{at}: image {image} has no pinned tag");
                Assert.NotEqual("Always", container["imagePullPolicy"]?.GetValue<string>());

                var security = container["securityContext"];
                Assert.True(security?["allowPrivilegeEscalation"]?.GetValue<bool>() == false, $"{at}: allowPrivilegeEscalation");
                Assert.True(security?["readOnlyRootFilesystem"]?.GetValue<bool>() == true, $"{at}: readOnlyRootFilesystem");
                Assert.True(security?["runAsNonRoot"]?.GetValue<bool>() != false, $"{at}: runAsNonRoot");
                Assert.Null(security?["privileged"]);
                Assert.Equal(["ALL"], security?["capabilities"]?["drop"]?.AsArray().Select(c => c!.GetValue<string>()) ?? []);
                Assert.Null(security?["capabilities"]?["add"]);

                // Read-only root: the writable paths are emptyDir volumes.
                var tmp = (container["volumeMounts"]?.AsArray() ?? []).SingleOrDefault(m => m!["mountPath"]!.GetValue<string>() == "/tmp");
                Assert.True(tmp is not null, $"{at}: /tmp is not mounted (the root filesystem is read-only)");
                var volume = pod["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == tmp!["name"]!.GetValue<string>())!;
                Assert.NotNull(volume["emptyDir"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Long_running_containers_have_readiness_and_liveness_probes(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);

        foreach (var deployment in rendered.OfKind("Deployment"))
        {
            foreach (var container in KubernetesManifests.Containers(KubernetesManifests.PodSpec(deployment)!))
            {
                Assert.NotNull(container["readinessProbe"]);
                Assert.NotNull(container["livenessProbe"]);
                // kube-score: a liveness probe that equals the readiness probe restarts pods for a dependency's outage.
                Assert.False(JsonNode.DeepEquals(container["readinessProbe"]!["httpGet"], container["livenessProbe"]!["httpGet"]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Api_rolls_out_without_downtime_spreads_across_zones_and_nodes_and_autoscales_from_two(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        var deployment = rendered.Single("Deployment", CatalogResourceNames.Api);
        var spec = deployment["spec"]!;
        var podLabels = spec["template"]!["metadata"]!["labels"]!.AsObject();

        Assert.True(spec["replicas"]!.GetValue<long>() >= 2);
        Assert.Equal("RollingUpdate", spec["strategy"]!["type"]!.GetValue<string>());
        Assert.Equal(0, spec["strategy"]!["rollingUpdate"]!["maxUnavailable"]!.GetValue<long>());
        var spread = spec["template"]!["spec"]!["topologySpreadConstraints"]!.AsArray().Select(c => c!["topologyKey"]!.GetValue<string>());
        Assert.Equal(["kubernetes.io/hostname", "topology.kubernetes.io/zone"], spread.Order(StringComparer.Ordinal));

        var hpa = Assert.Single(rendered.OfKind("HorizontalPodAutoscaler"))["spec"]!;
        Assert.Equal("Deployment", hpa["scaleTargetRef"]!["kind"]!.GetValue<string>());
        Assert.Equal(CatalogResourceNames.Api, hpa["scaleTargetRef"]!["name"]!.GetValue<string>());
        Assert.True(hpa["minReplicas"]!.GetValue<long>() >= 2);
        Assert.True(hpa["maxReplicas"]!.GetValue<long>() > hpa["minReplicas"]!.GetValue<long>());
        Assert.Equal(["cpu", "memory"], hpa["metrics"]!.AsArray().Select(m => m!["resource"]!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.True(hpa["behavior"]!["scaleDown"]!["stabilizationWindowSeconds"]!.GetValue<long>() >= 60);
        Assert.InRange(spec["replicas"]!.GetValue<long>(), hpa["minReplicas"]!.GetValue<long>(), hpa["maxReplicas"]!.GetValue<long>());

        // Every Deployment that runs more than one pod has a PodDisruptionBudget that leaves one serving.
        foreach (var multi in rendered.OfKind("Deployment").Where(d => d["spec"]!["replicas"]?.GetValue<long>() > 1))
        {
            var labels = multi["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            var pdb = rendered.OfKind("PodDisruptionBudget").SingleOrDefault(p => Selects(p["spec"]!["selector"]!, labels));
            Assert.True(pdb is not null, $"{KubernetesManifests.Describe(multi)} has no PodDisruptionBudget");
            var budget = pdb!["spec"]!;
            var allowed = budget["maxUnavailable"]?.GetValue<long>() ?? multi["spec"]!["replicas"]!.GetValue<long>() - budget["minAvailable"]!.GetValue<long>();
            Assert.InRange(allowed, 1, hpa["minReplicas"]!.GetValue<long>() - 1);
        }

        Assert.True(Selects(rendered.Single("Service", CatalogResourceNames.Api)["spec"]!["selector"]!, podLabels, matchLabels: false));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Network_policies_admit_only_the_route_in_and_cover_every_workload(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        var policies = rendered.OfKind("NetworkPolicy").ToList();

        foreach (var workload in Workloads(rendered))
        {
            var labels = workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            var selecting = policies.Where(p => Selects(p["spec"]!["podSelector"]!, labels)).ToList();
            var where = KubernetesManifests.Describe(workload);
            Assert.Contains(selecting, p => PolicyTypes(p).Contains("Ingress"));
            Assert.Contains(selecting, p => PolicyTypes(p).Contains("Egress"));

            // The only ingress rules come from the route-in component, from one namespace.
            var from = selecting.SelectMany(p => p["spec"]!["ingress"]?.AsArray() ?? []).SelectMany(r => r!["from"]?.AsArray() ?? []).ToList();
            if (KubernetesManifests.Name(workload) == CatalogResourceNames.Api)
            {
                var source = Assert.Single(from)!;
                Assert.NotNull(source["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]);
            }
            else
            {
                Assert.True(from.Count == 0, $"{where} accepts connections");
            }

            // Egress: DNS, and the backing services' ports, always through a port (no allow-all rule).
            var egress = selecting.SelectMany(p => p["spec"]!["egress"]?.AsArray() ?? []).ToList();
            Assert.All(egress, rule => Assert.NotEmpty(rule!["ports"]!.AsArray()));
            var ports = egress.SelectMany(r => r!["ports"]!.AsArray()).Select(p => p!["port"]!.GetValue<long>()).ToHashSet();
            Assert.Contains(53, ports);
            Assert.Contains(5432, ports);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Namespace_enforces_the_restricted_pod_security_standard_and_holds_everything(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        var ns = Assert.Single(rendered.OfKind("Namespace"));
        var labels = ns["metadata"]!["labels"]!.AsObject();

        Assert.Equal("restricted", labels["pod-security.kubernetes.io/enforce"]!.GetValue<string>());
        Assert.All(rendered.Objects.Where(o => KubernetesManifests.Kind(o) != "Namespace"),
            o => Assert.Equal(KubernetesManifests.Name(ns), o["metadata"]!["namespace"]?.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Exactly_one_route_in_an_ingress_or_an_httproute_to_the_api_service(string overlay)
    {
        var rendered = await KubernetesManifests.RenderAsync(overlay);
        var routes = rendered.OfKind("Ingress").Concat(rendered.OfKind("HTTPRoute")).ToList();

        var route = Assert.Single(routes);
        var service = rendered.Single("Service", CatalogResourceNames.Api)["spec"]!["ports"]![0]!;
        if (KubernetesManifests.Kind(route) == "Ingress")
        {
            var rule = Assert.Single(route["spec"]!["rules"]!.AsArray())!;
            // Each overlay names its own host; the component's placeholder is not one.
            Assert.NotEqual("api.example.com", rule["host"]!.GetValue<string>());
            var backend = Assert.Single(rule["http"]!["paths"]!.AsArray())!["backend"]!["service"]!;
            Assert.Equal(CatalogResourceNames.Api, backend["name"]!.GetValue<string>());
            Assert.Equal(service["name"]!.GetValue<string>(), backend["port"]!["name"]!.GetValue<string>());
            Assert.Equal(rule["host"]!.GetValue<string>(), route["spec"]!["tls"]![0]!["hosts"]![0]!.GetValue<string>());
        }
        else
        {
            var backend = Assert.Single(Assert.Single(route["spec"]!["rules"]!.AsArray())!["backendRefs"]!.AsArray())!;
            Assert.Equal(CatalogResourceNames.Api, backend["name"]!.GetValue<string>());
            Assert.Equal(service["port"]!.GetValue<long>(), backend["port"]!.GetValue<long>());
            Assert.NotEqual("api.example.com", Assert.Single(route["spec"]!["hostnames"]!.AsArray())!.GetValue<string>());
        }
    }

    private static IEnumerable<JsonObject> Workloads(KubernetesManifests.Rendered rendered) =>
        rendered.Objects.Where(o => KubernetesManifests.PodSpec(o) is not null);

    private static HashSet<string> PolicyTypes(JsonObject policy) =>
        [.. policy["spec"]!["policyTypes"]!.AsArray().Select(t => t!.GetValue<string>())];

    /// <summary>Whether a label selector (matchLabels/matchExpressions, or a Service's plain map) selects these labels.</summary>
    private static bool Selects(JsonNode selector, JsonObject labels, bool matchLabels = true)
    {
        var required = (matchLabels ? selector["matchLabels"] : selector)?.AsObject() ?? [];
        if (required.Any(kv => labels[kv.Key]?.GetValue<string>() != kv.Value!.GetValue<string>()))
        {
            return false;
        }

        foreach (var expression in selector["matchExpressions"]?.AsArray() ?? [])
        {
            var value = labels[expression!["key"]!.GetValue<string>()]?.GetValue<string>();
            var values = expression["values"]?.AsArray().Select(v => v!.GetValue<string>()).ToList() ?? [];
            var matches = expression["operator"]!.GetValue<string>() switch
            {
                "In" => value is not null && values.Contains(value),
                "NotIn" => value is null || !values.Contains(value),
                "Exists" => value is not null,
                "DoesNotExist" => value is null,
                _ => false,
            };
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }
}
