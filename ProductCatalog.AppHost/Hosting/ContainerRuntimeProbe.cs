using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace ProductCatalog.AppHost.Hosting;

/// <summary>
/// Asks the container runtime Aspire would use whether its engine answers. A client without an
/// engine (docker CLI, no daemon) is "no runtime": DCP would fail on the first container.
/// </summary>
public static class ContainerRuntimeProbe
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    public static bool IsAvailable(IConfiguration configuration)
    {
        // Same setting DCP reads to pick the runtime.
        var configured = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"];
        string[] runtimes = string.IsNullOrWhiteSpace(configured) ? ["docker", "podman"] : [configured];
        return runtimes.Any(Answers);
    }

    private static bool Answers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            // Drain the pipes so a chatty runtime cannot block on a full buffer.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(s_timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed.
            return false;
        }
    }
}
