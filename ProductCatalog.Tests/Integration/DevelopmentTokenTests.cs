using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace ProductCatalog.Tests.Integration;

/// <summary>
/// A write token in one step, against the running app, without a restart or an edited file:
/// the api's dashboard command, and <c>dotnet run --project ProductCatalog.AppHost -- token</c>.
/// </summary>
public sealed class DevelopmentTokenTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task The_dashboard_command_shows_a_token_the_api_accepts_for_writes()
    {
        var ct = TestContext.Current.CancellationToken;
        // With replicas, each is its own resource on the dashboard, and each has the command.
        var replica = (await fixture.GetApiReplicasAsync(ct))[0].Name;
        var result = await fixture.App.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync(replica, CatalogDashboardExtensions.WriteTokenCommandName, ct);

        Assert.True(result.Success, result.Message);
        Assert.NotNull(result.Data);
        Assert.True(result.Data.DisplayImmediately);
        await AssertWritesWithAsync(result.Data.Value, ct);
    }

    [Fact]
    public async Task The_token_command_prints_only_a_token_the_api_accepts_for_writes()
    {
        var ct = TestContext.Current.CancellationToken;
        var (exitCode, stdout, stderr) = await RunTokenCommandAsync(new() { ["Parameters__auth-signing-key"] = fixture.SigningKey }, ct);

        Assert.True(exitCode == 0, stderr);
        await AssertWritesWithAsync(stdout.Trim(), ct);
    }

    [Fact]
    public async Task Without_a_key_the_token_command_says_to_start_the_app_first_and_fails()
    {
        var home = Directory.CreateTempSubdirectory("productcatalog-home-");
        try
        {
            var (exitCode, stdout, stderr) = await RunTokenCommandAsync(new() { ["HOME"] = home.FullName }, TestContext.Current.CancellationToken);

            Assert.Equal(1, exitCode);
            Assert.Equal("", stdout);
            Assert.Contains("dotnet run --project ProductCatalog.AppHost", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    private async Task AssertWritesWithAsync(string token, CancellationToken ct)
    {
        using var client = fixture.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.PostAsJsonAsync("/api/v1/categories", new { name = "token-" + Guid.NewGuid().ToString("N") }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        // The same token reads the change feed (scope catalog.events), as docs/events.md says.
        using var feed = await client.GetAsync("/api/v1/events?limit=1", ct);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
    }

    /// <summary>Runs the built AppHost as <c>dotnet run ... -- token</c> does, without building it again.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunTokenCommandAsync(Dictionary<string, string> environment, CancellationToken ct)
    {
        var appHost = Path.Combine(RepositoryPaths.Root, "ProductCatalog.AppHost", "bin", RepositoryPaths.Configuration, "net10.0", "ProductCatalog.AppHost.dll");
        var startInfo = new ProcessStartInfo("dotnet", [appHost, "token"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
        return (process.ExitCode, await stdout, await stderr);
    }
}
