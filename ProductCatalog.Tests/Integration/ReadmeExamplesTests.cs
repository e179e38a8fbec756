using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ProductCatalog.Tests.Integration;

/// <summary>
/// README's <c>```bash</c> blocks, run as written against the test app, so the README cannot
/// drift from the API. Only two lines change: the base address (the test app's random port) and
/// the token (the command-line way to get one is tested in <see cref="DevelopmentTokenTests"/>).
/// Every curl call must succeed: a <c>.curlrc</c> with <c>--fail-with-body</c> turns an HTTP
/// error into a failed step.
/// </summary>
public sealed partial class ReadmeExamplesTests(CatalogAppFixture fixture)
{
    private const string BaseLine = "BASE=http://localhost:5180";
    private const string TokenLine = "TOKEN=$(dotnet run --project ProductCatalog.AppHost --no-build --no-launch-profile -- token)";

    [Fact]
    public async Task The_readme_calls_run_top_to_bottom_against_the_app()
    {
        var ct = TestContext.Current.CancellationToken;
        await MachinePrerequisites.ReadmeToolsAsync();
        var blocks = BashBlocks(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "README.md"), ct));
        var script = Assert.Single(blocks);
        Assert.Contains(BaseLine, script.Split('\n'));
        Assert.Contains(TokenLine, script.Split('\n'));

        var api = fixture.App.GetEndpoint(CatalogResourceNames.Api, "http").GetLeftPart(UriPartial.Authority);
        script = script
            .Replace(BaseLine, "BASE=" + api, StringComparison.Ordinal)
            .Replace(TokenLine, "TOKEN=" + TestTokens.Mint(fixture.SigningKey), StringComparison.Ordinal);

        var (exitCode, output) = await RunBashAsync(script, ct);

        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.True(exitCode == 0, $"README's calls failed (exit code {exitCode}):\n{output}");
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("304", lines); // If-None-Match with the ETag
        Assert.Contains("204", lines); // DELETE with the latest ETag
        Assert.Equal(2, lines.Count(l => l == "200")); // /health and /alive
        Assert.Matches(@"^product [0-9a-f-]{36}, ETag ""[^""]+""$", lines.First(l => l.StartsWith("product ", StringComparison.Ordinal)));
    }

    internal static IReadOnlyList<string> BashBlocks(string markdown) =>
        [.. BashBlock().Matches(markdown.ReplaceLineEndings("\n")).Select(m => m.Groups["code"].Value)];

    private static async Task<(int ExitCode, string Output)> RunBashAsync(string script, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("productcatalog-readme-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(work.FullName, ".curlrc"), "fail-with-body\nmax-time = 60\n", ct);
            var startInfo = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = work.FullName,
            };
            startInfo.Environment["CURL_HOME"] = work.FullName;
            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start bash.");
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(3), ct);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^```bash\n(?<code>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
