namespace ProductCatalog.AppHost.Messaging;

/// <summary>
/// A local RabbitMQ: the folder holding its <c>rabbitmq-server</c> script, and Erlang's <c>epmd</c>
/// (the port mapper every node registers with; the broker starts it and it outlives the broker
/// unless stopped).
/// </summary>
public sealed record RabbitMQInstallation(string BinDirectory, string Epmd)
{
    /// <summary>Debian's /usr/sbin/rabbitmq-server is this wrapper: it switches user and writes to /var/log.</summary>
    private const string DebianScriptWrapper = "rabbitmq-script-wrapper";

    public string Server => Path.Combine(BinDirectory, "rabbitmq-server");

    /// <summary>Where packages put the real scripts: Debian/Ubuntu, then Homebrew.</summary>
    public static IReadOnlyList<string> DefaultBinDirectories { get; } =
        ["/usr/lib/rabbitmq/bin", "/opt/homebrew/sbin", "/usr/local/sbin"];

    /// <summary>Where Erlang's epmd lives when it is not on PATH.</summary>
    public static IReadOnlyList<string> DefaultErlangBinDirectories { get; } =
        ["/usr/lib/erlang/bin", "/usr/local/lib/erlang/bin", "/opt/homebrew/bin"];

    /// <summary>
    /// The explicit folder if given; else the first PATH entry with a usable <c>rabbitmq-server</c>
    /// (not Debian's wrapper); else the first of <paramref name="knownBinDirectories"/> that has one.
    /// Null when there is no server or no <c>epmd</c>.
    /// </summary>
    public static RabbitMQInstallation? Find(
        string? explicitBinDirectory, string? pathVariable, IEnumerable<string> knownBinDirectories, IEnumerable<string> erlangBinDirectories)
    {
        var pathEntries = (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        IEnumerable<string> candidates = string.IsNullOrWhiteSpace(explicitBinDirectory)
            ? pathEntries.Concat(knownBinDirectories)
            : [explicitBinDirectory];
        var binDirectory = candidates.FirstOrDefault(HasUsableServer);
        if (binDirectory is null)
        {
            return null;
        }

        var epmd = pathEntries.Prepend(binDirectory).Concat(erlangBinDirectories)
            .Select(dir => Path.Combine(dir, "epmd"))
            .FirstOrDefault(File.Exists);
        return epmd is null ? null : new RabbitMQInstallation(binDirectory, epmd);
    }

    public static RabbitMQInstallation? FindOnThisMachine(string? explicitBinDirectory) =>
        OperatingSystem.IsWindows()
            ? null // rabbitmq-server.bat needs a different shutdown path; Windows uses the container.
            : Find(explicitBinDirectory, Environment.GetEnvironmentVariable("PATH"), DefaultBinDirectories, DefaultErlangBinDirectories);

    private static bool HasUsableServer(string directory)
    {
        var server = new FileInfo(Path.Combine(directory, "rabbitmq-server"));
        if (!server.Exists)
        {
            return false;
        }

        var target = server.ResolveLinkTarget(returnFinalTarget: true);
        return !string.Equals(target?.Name, DebianScriptWrapper, StringComparison.Ordinal);
    }
}
