using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ProductCatalog.AppHost.Postgres;

/// <summary>
/// A local PostgreSQL data directory and how the server runs on it: created with the right owner,
/// <c>initdb</c> once, and the superuser password set to the current secret before every start.
/// PostgreSQL refuses to run as root, so as root every step runs as the <c>postgres</c> user.
/// </summary>
internal sealed partial class LocalPostgresDataDirectory(PostgresInstallation installation, string path, LocalPostgresServerResource? primary = null)
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
    /// <para>
    /// A standby names itself with <c>cluster_name</c> (its walreceiver's application_name, which the
    /// primary's <paramref name="synchronousStandbys"/> list matches); the list makes every commit
    /// wait until a standby has flushed it.
    /// </para>
    public LocalServerLaunch Launch(string launcherPath, bool temporary, IDistributedApplicationBuilder builder, string name, IReadOnlyList<string> synchronousStandbys) => new(
        new ServerLauncher(launcherPath, _account, installation.Postgres, stopSignal: "INT"),
        [
            "-D", Path, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", $"cluster_name={name}",
            .. synchronousStandbys.Count == 0 ? [] : new[] { "-c", $"synchronous_standby_names=ANY 1 ({string.Join(", ", synchronousStandbys.Select(s => $"\"{s}\""))})" },
        ],
        "PGPORT",
        (password, logger, services, ct) => primary is null ? PrepareAsync(password, logger, ct) : CopyPrimaryAsync(name, password, logger, services, ct),
        builder.DescribeData(installation.Postgres, Path, temporary) + (primary is null ? "" : $", streaming from {primary.Name}"));

    /// <summary>
    /// A standby starts from a fresh copy of its primary on every start (a local copy takes a
    /// second, and a copy never diverges from a primary that was replaced), through a replication
    /// slot of its own so the primary keeps the WAL it has not received yet.
    /// </summary>
    private async Task CopyPrimaryAsync(string name, string password, ILogger logger, IServiceProvider services, CancellationToken ct)
    {
        var source = primary!;
        await services.GetRequiredService<ResourceNotificationService>().WaitForResourceHealthyAsync(source.Name, ct);
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }

        await _account.CreateOwnedDirectoryAsync(Path, ct);
        var slot = name.Replace('-', '_');
        var primaryConnection = new NpgsqlConnectionStringBuilder(source.ConnectionString) { Database = "postgres" };
        await using (var connection = new NpgsqlConnection(primaryConnection.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var drop = new NpgsqlCommand(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active", connection)
            {
                Parameters = { new() { Value = slot } },
            };
            await drop.ExecuteNonQueryAsync(ct);
        }

        LogCopying(logger, source.Name, Path);
        await _account.RunAsync(_account.Wrap(installation.BaseBackup,
        [
            "-D", Path, "-h", primaryConnection.Host!, "-p", primaryConnection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", ServiceUser, "-X", "stream", "--write-recovery-conf", "--create-slot", "--slot", slot, "--checkpoint=fast",
        ]), stdin: null, logger, ct, new Dictionary<string, string> { ["PGPASSWORD"] = password });
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Copying {Primary} into the standby's data directory {DataDirectory}")]
    private static partial void LogCopying(ILogger logger, string primary, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Initializing PostgreSQL data directory {DataDirectory}")]
    private static partial void LogInitializing(ILogger logger, string dataDirectory);
}
