using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// <c>deploy/kubernetes</c> as <c>kubectl kustomize</c> renders it, once per test run and
/// kustomization. The tree is copied to a temporary folder first, with the local overlay's
/// git-ignored <c>secrets/</c> filled from <c>secrets.example/</c>, so a test never writes into the clone.
/// </summary>
internal static class KubernetesManifests
{
    /// <summary>Every overlay, and the Argo CD Applications.</summary>
    public static readonly string[] Overlays = ["staging", "production", "in-cluster", "local"];

    public const string ArgoCd = "argocd";

    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(1);
    private static readonly Lazy<string> s_tree = new(CopyTree);
    private static readonly ConcurrentDictionary<string, Lazy<Task<Rendered>>> s_cache = new();

    internal sealed record Rendered(string Name, IReadOnlyList<JsonObject> Objects, TimeSpan Took)
    {
        public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Kind(o) == kind);

        public JsonObject Single(string kind, string name) =>
            Objects.SingleOrDefault(o => Kind(o) == kind && KubernetesManifests.Name(o) == name)
            ?? throw new Xunit.Sdk.XunitException($"{this.Name} renders no {kind} '{name}'.");
    }

    public static TheoryData<string> OverlayNames => new(Overlays);

    /// <summary><paramref name="kustomization"/>: an overlay's name or <see cref="ArgoCd"/>.</summary>
    public static Task<Rendered> RenderAsync(string kustomization) =>
        s_cache.GetOrAdd(kustomization, name => new Lazy<Task<Rendered>>(() => KustomizeAsync(name))).Value;

    public static string Kind(JsonObject o) => o["kind"]?.GetValue<string>() ?? "";

    public static string Name(JsonObject o) => o["metadata"]?["name"]?.GetValue<string>() ?? "";

    public static string Describe(JsonObject o) => $"{o["apiVersion"]} {Kind(o)} {Name(o)}";

    /// <summary>The pod template of a workload (Deployment, StatefulSet, DaemonSet, Job), or null.</summary>
    public static JsonObject? PodSpec(JsonObject o) => Kind(o) switch
    {
        "Deployment" or "StatefulSet" or "DaemonSet" or "Job" => o["spec"]?["template"]?["spec"]?.AsObject(),
        "CronJob" => o["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?.AsObject(),
        _ => null,
    };

    public static IEnumerable<JsonObject> Containers(JsonObject podSpec) =>
        (podSpec["containers"]?.AsArray() ?? []).Concat(podSpec["initContainers"]?.AsArray() ?? []).Select(c => c!.AsObject());

    public static JsonObject Container(JsonObject workload, string name) =>
        Containers(PodSpec(workload)!).Single(c => c["name"]!.GetValue<string>() == name);

    public static string Path(params string[] parts) => System.IO.Path.Combine([s_tree.Value, .. parts]);

    private static string CopyTree()
    {
        var target = Directory.CreateTempSubdirectory("pc-kubernetes-").FullName;
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Kubernetes, "*", SearchOption.AllDirectories))
        {
            var relative = System.IO.Path.GetRelativePath(RepositoryPaths.Kubernetes, file);
            var destination = System.IO.Path.Combine(target, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        // What a person copies and fills in before `kubectl apply -k overlays/local` (docs/deploy.md).
        var example = System.IO.Path.Combine(target, "overlays", "local", "secrets.example");
        var secrets = System.IO.Path.Combine(target, "overlays", "local", "secrets");
        Directory.CreateDirectory(secrets);
        foreach (var file in Directory.EnumerateFiles(example))
        {
            File.Copy(file, System.IO.Path.Combine(secrets, System.IO.Path.GetFileName(file)), overwrite: true);
        }

        return target;
    }

    private static async Task<Rendered> KustomizeAsync(string name)
    {
        var directory = name == ArgoCd ? Path(ArgoCd) : Path("overlays", name);
        var started = Stopwatch.StartNew();
        var startInfo = new ProcessStartInfo("kubectl", ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start kubectl.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "kubectl is not on PATH: the Kubernetes tests render deploy/kubernetes with `kubectl kustomize` (kubectl 1.27 or later, "
                + "kustomize 5; https://kubernetes.io/docs/tasks/tools/).", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(s_timeout);
            var output = await stdout;
            if (process.ExitCode != 0)
            {
                throw new Xunit.Sdk.XunitException($"kubectl kustomize {name} failed ({process.ExitCode}):\n{await stderr}");
            }

            return new Rendered(name, [.. YamlJson.ParseAll(output).Select(n => n.AsObject())], started.Elapsed);
        }
    }
}
