using System.Diagnostics;

namespace ProductCatalog.Tests.Unit;

/// <summary>The pieces PostgreSQL and RabbitMQ share: the launcher DCP runs (their plans are tested with each server).</summary>
public sealed class SharedHostingTests
{
    [Fact]
    public void Ports_for_local_servers_are_distinct_free_and_where_no_outgoing_connection_takes_one()
    {
        var ports = Enumerable.Range(0, 40).Select(_ => LocalServerHosting.FreeLoopbackPort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(range))
        {
            var ephemeralHigh = int.Parse(File.ReadAllText(range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            // (A range that ends near 65535 leaves no room above it: then the kernel picks.)
            Assert.All(ports, p => Assert.InRange(p, ephemeralHigh > 64535 ? 1024 : ephemeralHigh + 1, 65535));
        }

        foreach (var port in ports)
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Fact]
    public async Task The_launcher_is_named_after_the_server_turns_SIGTERM_into_its_stop_signal_and_passes_its_arguments()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "POSIX shell");
        var ct = TestContext.Current.CancellationToken;
        var run = Directory.CreateTempSubdirectory("pc-launch-").FullName;
        var marker = Path.Combine(run, "marker");
        // A "server" that ignores TERM and stops on USR1 (a shell cannot stand in for INT: a background
        // job starts with INT ignored, and only a real program such as postgres can take it back).
        var launcher = new ServerLauncher(ServerLauncher.PathFor(run, "/bin/sh"), new ServiceAccount(Environment.UserName, "the test"), "/bin/sh", "USR1");
        await launcher.WriteAsync(ct);
        Assert.Equal("sh", Path.GetFileName(launcher.Path));

        using var process = Process.Start(new ProcessStartInfo(launcher.Path,
            ["-c", $"trap 'echo USR1 >> {ForegroundServer.Quote(marker)}; exit 0' USR1; trap '' TERM; while :; do sleep 0.1; done"])
        { UseShellExecute = false })!;
        try
        {
            await Task.Delay(500, ct);
            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).WaitForExit();
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct);

            Assert.Equal(0, process.ExitCode);
            Assert.Equal(["USR1"], await File.ReadAllLinesAsync(marker, ct));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void A_server_with_its_own_clean_stop_on_SIGTERM_is_execed_without_a_shell_in_between()
    {
        var script = new ServerLauncher("/tmp/x/launch/rabbitmq-server", new ServiceAccount("rabbitmq", "the test"), "/usr/lib/rabbitmq/bin/rabbitmq-server", stopSignal: null).Script();

        Assert.StartsWith("#!/bin/sh\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain(ForegroundServer.Quote(ForegroundServer.Shell), script, StringComparison.Ordinal);
        Assert.EndsWith("'/usr/lib/rabbitmq/bin/rabbitmq-server' \"$@\"\n", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it'\\''s'")]
    public void Shell_quoting_survives_single_quotes(string value, string quoted)
    {
        Assert.Equal(quoted, ForegroundServer.Quote(value));
    }
}
