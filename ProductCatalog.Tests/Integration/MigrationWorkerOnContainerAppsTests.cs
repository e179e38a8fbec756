using System.Diagnostics;

namespace ProductCatalog.Tests.Integration;

/// <summary>
/// The worker as deployed to Azure Container Apps (Catalog:KeepRunningAfterMigration=true): it stays up
/// after migrating, because the platform restarts exited processes, and still fails loudly.
/// </summary>
public sealed class MigrationWorkerOnContainerAppsTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task Worker_stays_idle_after_migrating_and_stops_cleanly_on_SIGTERM()
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = MigrationWorkerProcess.Start(await fixture.GetDatabaseConnectionStringAsync(), keepRunning: true);
        var output = new System.Text.StringBuilder();
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Staying idle until stopped", StringComparison.Ordinal) == true)
            {
                idle.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await Task.WhenAny(idle.Task, process.WaitForExitAsync(ct)).WaitAsync(TimeSpan.FromMinutes(2), ct);
            Assert.True(idle.Task.IsCompleted, $"the worker did not report staying idle; output:\n{output}");
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            Assert.False(process.HasExited, $"the worker exited although it should stay up; output:\n{output}");

            // Container Apps stops a replica with SIGTERM: a normal shutdown, exit code 0.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}; output:\n{output}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Worker_still_exits_non_zero_when_migrating_fails()
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = MigrationWorkerProcess.Start("Host=127.0.0.1;Port=1;Username=postgres;Password=unused;Database=catalogdb;Timeout=3", keepRunning: true);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);

        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode != 0, await stdout + await stderr);
    }
}
