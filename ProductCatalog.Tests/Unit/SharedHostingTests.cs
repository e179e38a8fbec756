using System.Diagnostics;

namespace ProductCatalog.Tests.Unit;

/// <summary>The pieces PostgreSQL and RabbitMQ share: the foreground shell (their plans are tested with each server).</summary>
public sealed class SharedHostingTests
{
    [Fact]
    public async Task The_foreground_shell_turns_SIGTERM_into_the_servers_stop_signal_and_cleans_up_after_it()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "POSIX shell");
        var marker = Path.Combine(Path.GetTempPath(), $"pc-fg-{Guid.NewGuid():N}");
        // A "server" that ignores TERM and stops on USR1 (a shell cannot stand in for INT: a background
        // job starts with INT ignored, and only a real program such as postgres can take it back).
        var (command, args) = ForegroundServer.Command("USR1", $"echo cleaned >> {ForegroundServer.Quote(marker)}",
            "/bin/sh", ["-c", $"trap 'echo USR1 >> {ForegroundServer.Quote(marker)}; exit 0' USR1; trap '' TERM; while :; do sleep 0.1; done"]);
        using var process = Process.Start(new ProcessStartInfo(command, args) { UseShellExecute = false })!;
        try
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).WaitForExit();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            Assert.Equal(0, process.ExitCode);
            Assert.Equal(["USR1", "cleaned"], await File.ReadAllLinesAsync(marker, TestContext.Current.CancellationToken));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            File.Delete(marker);
        }
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it'\\''s'")]
    public void Shell_quoting_survives_single_quotes(string value, string quoted)
    {
        Assert.Equal(quoted, ForegroundServer.Quote(value));
    }
}
