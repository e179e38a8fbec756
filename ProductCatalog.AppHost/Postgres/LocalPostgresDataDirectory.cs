using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ProductCatalog.AppHost.Postgres;

/// <summary>
/// Prepares a local PostgreSQL data directory before DCP starts the server: creates it with the
/// right owner, runs <c>initdb</c> once, and sets the superuser password to the current secret.
/// PostgreSQL refuses to run as root, so as root every step runs as the <c>postgres</c> user.
/// </summary>
internal sealed partial class LocalPostgresDataDirectory(PostgresInstallation installation, string path)
{
    public const string ServiceUser = "postgres";

    public string Path { get; } = path;

    [UnsupportedOSPlatformGuard("windows")]
    public static bool RunsAsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    /// <summary>
    /// The default persistent location: per clone of the repository (hash of the AppHost folder),
    /// outside /root when running as root because the postgres user must be able to reach it.
    /// </summary>
    public static string DefaultPersistentPath(string appHostDirectory)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(appHostDirectory)))[..12];
        var root = RunsAsRoot
            ? "/var/lib/productcatalog"
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "productcatalog");
        return System.IO.Path.Combine(root, id, "pgdata");
    }

    public static string NewTemporaryPath() =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "productcatalog-pg", Guid.NewGuid().ToString("N"), "pgdata");

    /// <summary>The program and arguments that start the server in the foreground on this directory.</summary>
    public (string Command, string[] Args) ServerCommand()
    {
        // TCP on loopback only (DCP gives the port through PGPORT); no Unix socket, whose default
        // folder is often not writable for the current user.
        string[] serverArgs = [installation.Postgres, "-D", Path, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="];
        if (OperatingSystem.IsWindows())
        {
            return (serverArgs[0], serverArgs[1..]);
        }

        // DCP stops an executable with SIGTERM, which PostgreSQL takes as a "smart" shutdown that
        // waits for every client to disconnect: with the API's pooled connections open it would
        // never stop. The shell turns SIGTERM into SIGINT, PostgreSQL's "fast" shutdown.
        return AsServiceUser("/bin/sh", ["-c", FastShutdownScript, "postgres", .. serverArgs]);
    }

    private const string FastShutdownScript =
        """
        "$@" &
        pid=$!
        trap 'kill -INT "$pid" 2>/dev/null' TERM INT
        wait "$pid"; status=$?
        while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done
        exit "$status"
        """;

    public async Task PrepareAsync(string password, ILogger logger, CancellationToken ct)
    {
        CreateDirectory();

        if (!File.Exists(System.IO.Path.Combine(Path, "PG_VERSION")))
        {
            LogInitializing(logger, Path);
            var passwordFile = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, $".pwfile-{Guid.NewGuid():N}");
            try
            {
                await File.WriteAllTextAsync(passwordFile, password + "\n", ct);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                await ChownAsync(passwordFile, ct);
                await RunAsync(AsServiceUser(installation.InitDb,
                [
                    "-D", Path, "-U", ServiceUser, "--pwfile", passwordFile,
                    "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                    "--encoding=UTF8", "--locale=C",
                ]), stdin: null, logger, ct);
            }
            finally
            {
                File.Delete(passwordFile);
            }
        }
        else
        {
            // The directory outlives the generated password (user secrets can be reset), so the
            // superuser password is set to the current secret on every start, in single-user mode.
            var escaped = password.Replace("'", "''", StringComparison.Ordinal);
            await RunAsync(AsServiceUser(installation.Postgres, ["--single", "-D", Path, "postgres"]),
                stdin: $"ALTER ROLE {ServiceUser} WITH PASSWORD '{escaped}';\n", logger, ct);
        }
    }

    public void DeleteQuietly()
    {
        try
        {
            var owner = System.IO.Path.GetDirectoryName(Path)!;
            Directory.Delete(owner, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void CreateDirectory()
    {
        var parent = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(parent);
        if (RunsAsRoot)
        {
            // Every ancestor must be traversable by the postgres user.
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
            Directory.CreateDirectory(Path);
        }
        else if (!Directory.Exists(Path))
        {
            // initdb insists on a data directory only its owner can enter.
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (RunsAsRoot)
        {
            ChownAsync(Path, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    private static async Task ChownAsync(string target, CancellationToken ct)
    {
        if (RunsAsRoot)
        {
            await RunAsync(("chown", ["-R", $"{ServiceUser}:{ServiceUser}", target]), stdin: null, logger: null, ct);
        }
    }

    private static (string Command, string[] Args) AsServiceUser(string program, string[] args) =>
        RunsAsRoot ? (Which("runuser"), ["-u", ServiceUser, "--", program, .. args]) : (program, args);

    private static readonly string[] s_systemBinDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private static string Which(string program) =>
        s_systemBinDirectories
            .Select(dir => System.IO.Path.Combine(dir, program))
            .FirstOrDefault(File.Exists) ?? program;

    private static async Task RunAsync((string Command, string[] Args) invocation, string? stdin, ILogger? logger, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(invocation.Command, invocation.Args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
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
            var program = System.IO.Path.GetFileName(invocation.Args.Length > 3 && invocation.Command.EndsWith("runuser", StringComparison.Ordinal) ? invocation.Args[3] : invocation.Command);
            var hint = RunsAsRoot && output.Contains("user", StringComparison.OrdinalIgnoreCase)
                ? $" Running as root needs a '{ServiceUser}' system user (Debian's postgresql package creates it)."
                : "";
            throw new InvalidOperationException($"'{program}' failed with exit code {process.ExitCode}: {output}{hint}");
        }

        if (logger is not null && output.Length > 0)
        {
            LogToolOutput(logger, output);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Initializing PostgreSQL data directory {DataDirectory}")]
    private static partial void LogInitializing(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Output}")]
    private static partial void LogToolOutput(ILogger logger, string output);
}
