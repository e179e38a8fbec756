namespace ProductCatalog.AppHost.Hosting;

/// <summary>
/// What the shared hosting code needs to know about one kind of server to choose how to run it
/// and to say so (or say what is missing) in words that name that server.
/// </summary>
/// <param name="DisplayName">The product, e.g. "PostgreSQL".</param>
/// <param name="SectionName">Its configuration section, e.g. <c>Catalog:Postgres</c>.</param>
/// <param name="Binaries">The programs a local installation must have, e.g. "PostgreSQL server binaries (initdb and postgres)".</param>
/// <param name="SearchedLocations">Where they were looked for, e.g. "on PATH or under /usr/lib/postgresql/*/bin".</param>
/// <param name="InstallHint">What to install, starting lowercase (it follows "or ").</param>
public sealed record BackingService(string DisplayName, string SectionName, string Binaries, string SearchedLocations, string InstallHint)
{
    public string ModeKey => $"{SectionName}:Mode";

    public string BinDirectoryKey => $"{SectionName}:BinDirectory";
}
