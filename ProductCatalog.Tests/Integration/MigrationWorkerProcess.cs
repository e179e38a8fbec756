using System.Diagnostics;

namespace ProductCatalog.Tests.Integration;

/// <summary>Runs the built migration worker as its own process, the way the AppHost does.</summary>
internal static class MigrationWorkerProcess
{
    /// <summary>Starts the worker with its output redirected; <paramref name="keepRunning"/> is the deployed (Container Apps) mode.</summary>
    public static Process Start(string connectionString, bool keepRunning = false)
    {
        var startInfo = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ProductCatalog.MigrationService.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["ConnectionStrings__catalogdb"] = connectionString,
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["Catalog__KeepRunningAfterMigration"] = keepRunning ? "true" : "false",
                // Fail fast: the point is the exit code, not the retry policy.
                ["Aspire__Npgsql__EntityFrameworkCore__PostgreSQL__DisableRetry"] = "true",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            },
        };
        return Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the migration worker.");
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, CancellationToken ct)
    {
        using var process = Start(connectionString);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
