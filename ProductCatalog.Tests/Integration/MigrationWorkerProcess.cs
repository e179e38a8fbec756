using System.Diagnostics;

namespace ProductCatalog.Tests.Integration;

/// <summary>Runs the built migration worker as its own process, the way the AppHost does.</summary>
internal static class MigrationWorkerProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, CancellationToken ct)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ProductCatalog.MigrationService.dll");
        var startInfo = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["ConnectionStrings__catalogdb"] = connectionString,
                ["DOTNET_ENVIRONMENT"] = "Production",
                // Fail fast: the point is the exit code, not the retry policy.
                ["Aspire__Npgsql__EntityFrameworkCore__PostgreSQL__DisableRetry"] = "true",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            },
        };

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the migration worker.");
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
