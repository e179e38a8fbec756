using System.Diagnostics;
using ProductCatalog.AppHost.Hosting;
using ProductCatalog.AppHost.Messaging;
using ProductCatalog.AppHost.Setup;

namespace ProductCatalog.Tests.Unit;

/// <summary>The pieces PostgreSQL and RabbitMQ share: plan, messages, the foreground shell.</summary>
public sealed class SharedHostingTests
{
    [Fact]
    public void RabbitMQ_without_runtime_or_binaries_says_what_to_install_in_its_own_words()
    {
        var error = Assert.Throws<CatalogSetupException>(() =>
            HostingPlan.Choose<RabbitMQInstallation>(CatalogMessagingExtensions.Service, HostingMode.Auto, isPublishMode: false, () => false, () => null));

        Assert.StartsWith("RabbitMQ cannot be started", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install rabbitmq-server", error.Message, StringComparison.Ordinal);
        Assert.Contains("Catalog:Messaging:BinDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RabbitMQ_forced_container_without_runtime_names_its_own_setting()
    {
        var error = Assert.Throws<CatalogSetupException>(() =>
            HostingPlan.Choose<RabbitMQInstallation>(CatalogMessagingExtensions.Service, HostingMode.Container, isPublishMode: false, () => false, () => null));

        Assert.Contains("Catalog:Messaging:Mode is 'container'", error.Message, StringComparison.Ordinal);
        Assert.Contains("local RabbitMQ installation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Messaging_mode_setting_is_rejected_with_its_own_key()
    {
        var error = Assert.Throws<CatalogSetupException>(() => BackingServiceOptions.ParseMode("docker", CatalogMessagingExtensions.SectionName));

        Assert.StartsWith("Catalog:Messaging:Mode is 'docker'", error.Message, StringComparison.Ordinal);
    }

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
