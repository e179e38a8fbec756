using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ProductCatalog.Tests.Unit;

/// <summary>
/// Setup errors end the AppHost with one message that says what to do and exit code 1, never a
/// stack trace (or a "started" app with another process on its port).
/// </summary>
public sealed class SetupErrorTests
{
    [Fact]
    public void A_bin_directory_without_the_programs_is_named_with_what_is_missing()
    {
        var folder = Directory.CreateTempSubdirectory("productcatalog-bin-");
        try
        {
            var error = Assert.Throws<CatalogSetupException>(() => PostgresInstallation.FindOnThisMachine(folder.FullName));

            Assert.Contains($"'{folder.FullName}', the only folder searched", error.Message, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(folder.FullName, "initdb"), error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("PATH or under", error.Message.Split(" or remove the setting")[0], StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete();
        }
    }

    [Fact]
    public void A_port_another_process_listens_on_is_taken_and_a_free_one_is_not()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.True(FixedPorts.IsTaken(port));
        listener.Stop();
        Assert.False(FixedPorts.IsTaken(port));
    }

    [Theory]
    [InlineData(new[] { "--publisher", "manifest" }, true)]
    [InlineData(new[] { "--publisher", "manifest", "--output-path", "m.json" }, false)]
    [InlineData(new[] { "--publisher", "manifest", "--output-path=m.json" }, false)]
    [InlineData(new string[0], false)]
    public void A_manifest_without_an_output_path_is_refused_before_anything_runs(string[] args, bool refused)
    {
        var error = Record.Exception(() => PublishArguments.ThrowIfIncomplete(args));

        Assert.Equal(refused, error is CatalogSetupException { Message: var m } && m.Contains("--output-path <file>", StringComparison.Ordinal));
        Assert.Equal(refused, error is not null);
    }

    [Fact]
    public async Task The_apphost_exits_1_with_one_line_when_the_api_port_is_taken()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var (exitCode, output) = await RunAppHostAsync([$"{FixedPorts.ApiHttpPortSetting}={port}"]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Port {port} (the api's http endpoint) is already in use", output, StringComparison.Ordinal);
        Assert.Contains(FixedPorts.ApiHttpPortSetting, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_apphost_exits_1_with_one_line_for_a_wrong_bin_directory()
    {
        var (exitCode, output) = await RunAppHostAsync(["Catalog:Postgres:Mode=local", "Catalog:Postgres:BinDirectory=/nonexistent/bin"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("Catalog:Postgres:BinDirectory is '/nonexistent/bin'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_apphost_exits_1_for_a_manifest_without_an_output_path()
    {
        var (exitCode, output) = await RunAppHostAsync(["--publisher", "manifest"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("--output-path", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    /// <summary>The built AppHost as `dotnet run` starts it (its launch profile's settings, on free ports).</summary>
    private static async Task<(int ExitCode, string Output)> RunAppHostAsync(string[] args)
    {
        var ct = TestContext.Current.CancellationToken;
        var appHost = Path.Combine(RepositoryPaths.Root, "ProductCatalog.AppHost", "bin", RepositoryPaths.Configuration, "net10.0", "ProductCatalog.AppHost.dll");
        var startInfo = new ProcessStartInfo("dotnet", [appHost, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(appHost)!,
        };
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Development";
        startInfo.Environment["ASPNETCORE_URLS"] = "http://localhost:0";
        startInfo.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://localhost:0";
        startInfo.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
