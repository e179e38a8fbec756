namespace ProductCatalog.AppHost.Hosting;

/// <summary>
/// Runs a server in the foreground under a small POSIX shell that DCP starts and stops. DCP stops an
/// executable with SIGTERM; the shell passes on the signal the server treats as its fast, clean
/// shutdown, waits for it, and then runs an optional clean-up (e.g. stopping a helper daemon the
/// server started, which would otherwise outlive the app).
/// </summary>
public static class ForegroundServer
{
    /// <summary>
    /// The <c>/bin/sh</c> command line. <paramref name="stopSignal"/> is a signal name such as
    /// <c>INT</c> or <c>TERM</c>; <paramref name="afterExit"/> is a shell command run after the
    /// server exited, with the server's environment.
    /// </summary>
    public static (string Command, string[] Args) Command(string stopSignal, string? afterExit, string program, string[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(stopSignal);
        if (!stopSignal.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"'{stopSignal}' is not a signal name such as INT or TERM.", nameof(stopSignal));
        }

        var script =
            $"""
            "$@" &
            pid=$!
            trap 'kill -{stopSignal} "$pid" 2>/dev/null' TERM INT
            wait "$pid"; status=$?
            while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done
            {afterExit ?? ":"}
            exit "$status"
            """;

        // "$0" is the name the shell reports in errors: the server's.
        return ("/bin/sh", ["-c", script, Path.GetFileName(program), program, .. args]);
    }

    /// <summary>Single-quotes a value for a POSIX shell.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
