using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// Generates the Aspire manifest the way azd does (<c>dotnet run --project ProductCatalog.AppHost --
/// --publisher manifest --output-path ...</c>, here with <c>--no-build</c>: the test build already built
/// it) into a temporary file, once per test run and setting.
/// </summary>
internal static partial class AspireManifest
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);
    private static readonly ConcurrentDictionary<string, Lazy<Task<Generated>>> s_cache = new();

    internal sealed partial record Generated(JsonObject Manifest, string Text)
    {
        public JsonObject Resources => Manifest["resources"]!.AsObject();

        public JsonObject Resource(string name) =>
            Resources[name]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"The manifest has no resource '{name}'.");

        /// <summary>
        /// Whether a manifest value holds a secret (azd's rule, which every deployment target here
        /// follows): a connection string, or a reference to a secret parameter.
        /// </summary>
        public bool IsSecret(string value) =>
            value.Contains(".connectionString}", StringComparison.Ordinal)
            || ParameterReference().Matches(value).Any(m =>
                Resources[m.Groups[1].Value]?["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true);

        [GeneratedRegex(@"\{([a-z0-9-]+)\.value\}")]
        private static partial Regex ParameterReference();
    }

    /// <summary>The manifest with the committed settings (PostgreSQL as a container).</summary>
    public static Task<Generated> DefaultAsync() => GetAsync(postgresPublishMode: null);

    /// <summary>
    /// The manifest with <c>Catalog:Postgres:Publish</c> (and <c>Catalog:Messaging:Publish</c>) set
    /// (environment variables, as a user or CI would).
    /// </summary>
    public static Task<Generated> GetAsync(string? postgresPublishMode, string? messagingPublishMode = null) =>
        s_cache.GetOrAdd($"{postgresPublishMode}|{messagingPublishMode}", _ => new Lazy<Task<Generated>>(() => GenerateAsync(postgresPublishMode, messagingPublishMode))).Value;

    private static async Task<Generated> GenerateAsync(string? postgresPublishMode, string? messagingPublishMode)
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("pc-manifest-").FullName, "aspire-manifest.json");
        var startInfo = new ProcessStartInfo("dotnet",
            [
                "run", "--no-build", "-c", RepositoryPaths.Configuration, "--project", RepositoryPaths.AppHostProject,
                "--", "--publisher", "manifest", "--output-path", output,
            ])
        {
            WorkingDirectory = Path.GetDirectoryName(RepositoryPaths.AppHostProject)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
                ["MSBUILDDISABLENODEREUSE"] = "1",
            },
        };
        // The committed configuration decides, not whatever the test host's environment says.
        startInfo.Environment.Remove("Catalog__Postgres__Publish");
        startInfo.Environment.Remove("Catalog__Messaging__Publish");
        if (postgresPublishMode is not null)
        {
            startInfo.Environment["Catalog__Postgres__Publish"] = postgresPublishMode;
        }

        if (messagingPublishMode is not null)
        {
            startInfo.Environment["Catalog__Messaging__Publish"] = messagingPublishMode;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start dotnet run.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Manifest generation did not finish within {s_timeout}.");
        }

        var log = await stdout + await stderr;
        if (process.ExitCode != 0 || !File.Exists(output))
        {
            throw new InvalidOperationException($"Manifest generation failed (exit code {process.ExitCode}):\n{log}");
        }

        var text = await File.ReadAllTextAsync(output);
        Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
        return new Generated(JsonNode.Parse(text)!.AsObject(), text);
    }
}
