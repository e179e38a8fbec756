using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;

namespace ProductCatalog.AppHost.Hosting;

/// <summary>
/// The system user a local server runs as. Servers such as PostgreSQL refuse to run as root, and
/// none should: as root every program of the server (and every file it owns) goes to the user its
/// distribution package created, e.g. <c>postgres</c> or <c>rabbitmq</c>. As anyone else it runs
/// as that user unchanged.
/// </summary>
internal sealed partial class ServiceAccount(string userName, string packageHint)
{
    private static readonly string[] s_systemBinDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    public string UserName { get; } = userName;

    [UnsupportedOSPlatformGuard("windows")]
    public static bool RunsAsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    /// <summary>
    /// The command line that runs <paramref name="program"/> as this user. <c>setpriv</c> replaces
    /// itself with the program, so DCP's stop signal reaches the program directly; <c>runuser</c>
    /// (the fallback) stays in between and kills its child two seconds after a SIGTERM, too soon
    /// for a server's clean shutdown.
    /// </summary>
    public (string Command, string[] Args) Wrap(string program, string[] args)
    {
        if (!RunsAsRoot)
        {
            return (program, args);
        }

        return Which("setpriv") is { } setpriv
            ? (setpriv, [$"--reuid={UserName}", $"--regid={UserName}", "--init-groups", "--", program, .. args])
            : (Which("runuser") ?? "runuser", ["-u", UserName, "--", program, .. args]);
    }

    /// <summary>
    /// Creates <paramref name="path"/> (mode 0700) owned by this user; as root every ancestor is
    /// made traversable, because the user must be able to reach it.
    /// </summary>
    public async Task CreateOwnedDirectoryAsync(string path, CancellationToken ct)
    {
        var parent = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(parent);
        if (RunsAsRoot)
        {
            for (var dir = new DirectoryInfo(parent); dir is not null; dir = dir.Parent)
            {
                var mode = File.GetUnixFileMode(dir.FullName);
                if (!mode.HasFlag(UnixFileMode.OtherExecute))
                {
                    File.SetUnixFileMode(dir.FullName, mode | UnixFileMode.OtherExecute);
                }
            }
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            // Data directories hold secrets (password hashes); PostgreSQL insists on 0700.
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await ChownAsync(path, ct);
    }

    /// <summary>Gives <paramref name="target"/> (recursively) to this user when running as root.</summary>
    public async Task ChownAsync(string target, CancellationToken ct)
    {
        if (RunsAsRoot)
        {
            await RunAsync(("chown", ["-R", $"{UserName}:{UserName}", target]), stdin: null, logger: null, ct);
        }
    }

    /// <summary>Writes a file only this user can read (it may hold a secret).</summary>
    public async Task WritePrivateFileAsync(string path, string contents, CancellationToken ct)
    {
        // Replaced, not rewritten: a server may have left it read-only (Erlang's cookie is 0400).
        File.Delete(path);
        await File.WriteAllTextAsync(path, contents, ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await ChownAsync(path, ct);
    }

    /// <summary>Runs a one-shot tool to completion; a non-zero exit code throws with the tool's output.</summary>
    public async Task RunAsync(
        (string Command, string[] Args) invocation, string? stdin, ILogger? logger, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(invocation.Command, invocation.Args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start '{invocation.Command}'.");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), ct);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = (await stdout + await stderr).Trim();

        if (process.ExitCode != 0)
        {
            var separator = Array.IndexOf(invocation.Args, "--");
            var program = Path.GetFileName(separator >= 0 && separator + 1 < invocation.Args.Length ? invocation.Args[separator + 1] : invocation.Command);
            var hint = RunsAsRoot && output.Contains("user", StringComparison.OrdinalIgnoreCase)
                ? $" Running as root needs a '{UserName}' system user ({packageHint} creates it)."
                : "";
            throw new InvalidOperationException($"'{program}' failed with exit code {process.ExitCode}: {output}{hint}");
        }

        if (logger is not null && output.Length > 0)
        {
            LogToolOutput(logger, output);
        }
    }

    /// <summary>The full path of a system program, or null when none of the system folders has it.</summary>
    public static string? Which(string program) =>
        s_systemBinDirectories
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Output}")]
    private static partial void LogToolOutput(ILogger logger, string output);
}
