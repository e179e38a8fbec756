namespace ProductCatalog.AppHost.Hosting;

/// <summary>
/// Runs a server in the foreground under a small POSIX shell that DCP starts and stops, for a
/// server whose clean, fast shutdown is not SIGTERM (DCP's stop): the shell passes on the signal
/// the server wants and waits for it.
/// </summary>
public static class ForegroundServer
{
    public const string Shell = "/bin/sh";

    /// <summary>
    /// The shell's arguments. <paramref name="stopSignal"/> is a signal name such as <c>INT</c>;
    /// the server's own arguments follow them.
    /// </summary>
    public static string[] Args(string stopSignal, string program)
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
            exit "$status"
            """;

        // "$0" is the name the shell reports in errors: the server's.
        return ["-c", script, Path.GetFileName(program), program];
    }

    /// <summary>Single-quotes a value for a POSIX shell.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
