using Microsoft.Extensions.Logging;

namespace ProductCatalog.AppHost.Postgres;

/// <summary>
/// A local PostgreSQL data directory and how the server runs on it: created with the right owner,
/// <c>initdb</c> once, and the superuser password set to the current secret before every start.
/// PostgreSQL refuses to run as root, so as root every step runs as the <c>postgres</c> user.
/// </summary>
internal sealed partial class LocalPostgresDataDirectory(PostgresInstallation installation, string path)
{
    public const string ServiceUser = "postgres";

    private readonly ServiceAccount _account = new(ServiceUser, "Debian's postgresql package");

    public string Path { get; } = path;

    /// <summary>
    /// The server in the foreground on this directory, on loopback TCP only (the port comes through
    /// PGPORT); no Unix socket, whose default folder is often not writable for the current user.
    /// DCP stops an executable with SIGTERM, which PostgreSQL takes as a "smart" shutdown that waits
    /// for every client to disconnect (with the API's pools open: never); SIGINT is its "fast" one.
    /// </summary>
    public LocalServerLaunch Launch(string launcherPath, bool temporary, IDistributedApplicationBuilder builder) => new(
        new ServerLauncher(launcherPath, _account, installation.Postgres, stopSignal: "INT"),
        ["-D", Path, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
        "PGPORT",
        PrepareAsync,
        builder.DescribeData(installation.Postgres, Path, temporary));

    private async Task PrepareAsync(string password, ILogger logger, CancellationToken ct)
    {
        // initdb insists on a data directory only its owner can enter.
        await _account.CreateOwnedDirectoryAsync(Path, ct);

        if (!File.Exists(System.IO.Path.Combine(Path, "PG_VERSION")))
        {
            LogInitializing(logger, Path);
            var passwordFile = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, $".pwfile-{Guid.NewGuid():N}");
            try
            {
                await _account.WritePrivateFileAsync(passwordFile, password + "\n", ct);
                await _account.RunAsync(_account.Wrap(installation.InitDb,
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
            await _account.RunAsync(_account.Wrap(installation.Postgres, ["--single", "-D", Path, "postgres"]),
                stdin: $"ALTER ROLE {ServiceUser} WITH PASSWORD '{escaped}';\n", logger, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Initializing PostgreSQL data directory {DataDirectory}")]
    private static partial void LogInitializing(ILogger logger, string dataDirectory);
}
