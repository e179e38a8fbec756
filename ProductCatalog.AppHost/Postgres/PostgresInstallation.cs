using System.Globalization;

namespace ProductCatalog.AppHost.Postgres;

/// <summary>A folder holding a PostgreSQL server's <c>initdb</c> and <c>postgres</c> programs.</summary>
public sealed record PostgresInstallation(string BinDirectory)
{
    public string InitDb => Path.Combine(BinDirectory, Program("initdb"));

    /// <summary>
    /// Copies a running server into a standby's data directory (Catalog:Postgres:Standbys): next to
    /// postgres, or next to the program a symlinked postgres points at (a PATH folder may link only
    /// the server programs).
    /// </summary>
    public string BaseBackup
    {
        get
        {
            var here = Path.Combine(BinDirectory, Program("pg_basebackup"));
            var target = new FileInfo(Postgres).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            var there = target is null ? here : Path.Combine(Path.GetDirectoryName(target)!, Program("pg_basebackup"));
            return File.Exists(here) ? here : there;
        }
    }

    public string Postgres => Path.Combine(BinDirectory, Program("postgres"));

    /// <summary>Folders that package managers install versioned PostgreSQL builds under.</summary>
    public static IReadOnlyList<string> DefaultVersionedRoots { get; } =
        OperatingSystem.IsWindows()
            ? [@"C:\Program Files\PostgreSQL"]
            : ["/usr/lib/postgresql", "/usr/pgsql", "/opt/homebrew/opt", "/usr/local/opt"];

    /// <summary>
    /// The explicit folder if given; else the first PATH entry that has both programs; else the
    /// newest version under the versioned roots (e.g. <c>/usr/lib/postgresql/16/bin</c> before <c>15</c>).
    /// </summary>
    public static PostgresInstallation? Find(string? explicitBinDirectory, string? pathVariable, IEnumerable<string> versionedRoots)
    {
        if (!string.IsNullOrWhiteSpace(explicitBinDirectory))
        {
            var candidate = new PostgresInstallation(explicitBinDirectory);
            return candidate.IsComplete() ? candidate : null;
        }

        foreach (var dir in (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var candidate = new PostgresInstallation(dir);
            if (candidate.IsComplete())
            {
                return candidate;
            }
        }

        return versionedRoots
            .Where(Directory.Exists)
            .SelectMany(VersionedBinDirectories)
            .OrderByDescending(v => v.Version)
            .Select(v => new PostgresInstallation(v.BinDirectory))
            .FirstOrDefault(i => i.IsComplete());
    }

    /// <summary>Where <see cref="FindOnThisMachine"/> looks without an explicit folder, for messages.</summary>
    public static string SearchedLocations { get; } =
        "on PATH or under " + string.Join(", ", DefaultVersionedRoots.Select(root => Path.Combine(root, root.EndsWith("opt", StringComparison.Ordinal) ? "postgresql@*" : "*", "bin")));

    /// <summary>
    /// <see cref="Find"/> on this machine. An explicit folder is the only place looked at, so one
    /// without both programs is a setup error that names it, rather than "not found".
    /// </summary>
    public static PostgresInstallation? FindOnThisMachine(string? explicitBinDirectory)
    {
        var found = Find(explicitBinDirectory, Environment.GetEnvironmentVariable("PATH"), DefaultVersionedRoots);
        if (found is null && !string.IsNullOrWhiteSpace(explicitBinDirectory))
        {
            var candidate = new PostgresInstallation(explicitBinDirectory);
            var missing = string.Join(" and ", new[] { candidate.InitDb, candidate.Postgres }.Where(p => !File.Exists(p)));
            throw new CatalogSetupException(
                $"Catalog:Postgres:BinDirectory is '{explicitBinDirectory}', the only folder searched when it is set, but {missing} is missing. "
                + "Point it at the folder that holds initdb and postgres (e.g. /usr/lib/postgresql/15/bin), or remove the setting to search "
                + SearchedLocations + ".");
        }

        return found;
    }

    public bool IsComplete() => File.Exists(InitDb) && File.Exists(Postgres);

    // "/usr/lib/postgresql/15" and Homebrew's "postgresql@16" both carry the major version in the folder name.
    private static IEnumerable<(Version Version, string BinDirectory)> VersionedBinDirectories(string root) =>
        Directory.EnumerateDirectories(root)
            .Select(dir => (Version: ParseVersion(Path.GetFileName(dir)), BinDirectory: Path.Combine(dir, "bin")))
            .Where(v => v.Version is not null)
            .Select(v => (v.Version!, v.BinDirectory));

    private static Version? ParseVersion(string folderName)
    {
        var at = folderName.LastIndexOf('@');
        var text = at >= 0 ? folderName[(at + 1)..] : folderName;
        if (at < 0 && !folderName.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            ? new Version(major, 0)
            : Version.TryParse(text, out var full) ? full : null;
    }

    private static string Program(string name) => OperatingSystem.IsWindows() ? name + ".exe" : name;
}
