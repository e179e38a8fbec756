using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// Validates Kubernetes objects with <c>KubernetesSchemas/validate.mjs</c>: the API's OpenAPI schemas
/// of the Kubernetes version that <c>kubernetes-models</c> (pinned in its package.json and
/// package-lock.json) was generated from, and the CRD schemas of the <c>@kubernetes-models/*</c>
/// packages; fields a schema does not declare are rejected. The packages are installed with
/// <c>npm ci</c> into that folder's node_modules on first use (once per lock file), so later runs
/// need no network.
/// </summary>
internal static class KubernetesSchemas
{
    /// <summary>The Kubernetes version kubernetes-models 5.1.0 was generated from (its changelog, 5.0.0).</summary>
    public const string KubernetesVersion = "1.36";

    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_validateTimeout = TimeSpan.FromMinutes(1);
    private static readonly Lazy<Task<string>> s_node = new(InstallAsync);

    public static string Folder => Path.Combine(RepositoryPaths.Root, "ProductCatalog.Tests", "Deployment", "KubernetesSchemas");

    internal sealed record Result(string Status, IReadOnlyList<string> Errors);

    /// <summary>One result per object, in order: "valid", "invalid" (with errors) or "no-schema".</summary>
    public static async Task<IReadOnlyList<Result>> ValidateAsync(IEnumerable<JsonObject> objects)
    {
        var node = await s_node.Value;
        var input = new JsonArray([.. objects.Select(o => o.DeepClone())]).ToJsonString();
        var (exitCode, output, errors) = await RunAsync(node, ["validate.mjs"], input, s_validateTimeout);
        Assert.True(exitCode == 0, $"validate.mjs failed ({exitCode}):\n{errors}\n{output}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!)
            .Select(r => new Result(r["status"]!.GetValue<string>(), [.. r["errors"]!.AsArray().Select(e => e!.GetValue<string>())]))];
    }

    private static async Task<string> InstallAsync()
    {
        var npx = await MachinePrerequisites.NpxAsync();
        var bin = Path.GetDirectoryName(npx)!;
        var marker = Path.Combine(Folder, "node_modules", ".installed-lock-sha256");
        var lockHash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(Folder, "package-lock.json"))));
        if (!File.Exists(marker) || await File.ReadAllTextAsync(marker) != lockHash)
        {
            MachinePrerequisites.Say("Kubernetes schemas: npm ci (kubernetes-models and the CRD packages, once per package-lock.json)...");
            var (exitCode, output, errors) = await RunAsync(Path.Combine(bin, "npm"),
                ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], null, s_installTimeout);
            Assert.True(exitCode == 0, $"npm ci in {Folder} failed ({exitCode}):\n{errors}\n{output}");
            await File.WriteAllTextAsync(marker, lockHash);
        }

        return Path.Combine(bin, "node");
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, string[] args, string? input, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
