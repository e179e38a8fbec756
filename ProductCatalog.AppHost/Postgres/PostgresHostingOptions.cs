using Microsoft.Extensions.Configuration;
using ProductCatalog.AppHost.Setup;

namespace ProductCatalog.AppHost.Postgres;

/// <summary>The <c>Catalog:Postgres</c> configuration section.</summary>
public sealed class PostgresHostingOptions
{
    public const string SectionName = "Catalog:Postgres";

    public PostgresHostingMode Mode { get; set; } = PostgresHostingMode.Auto;

    /// <summary>
    /// Keep data between runs (a container volume, or a fixed local data directory).
    /// Test runs set this to false to get a fresh, temporary database.
    /// </summary>
    public bool Persistent { get; set; } = true;

    /// <summary>Local mode: the data directory to use instead of the default one.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Local mode: the folder that holds <c>initdb</c> and <c>postgres</c>, instead of searching.</summary>
    public string? BinDirectory { get; set; }

    public static PostgresHostingOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        return new PostgresHostingOptions
        {
            Mode = ParseMode(section["Mode"]),
            Persistent = section.GetValue("Persistent", defaultValue: true),
            DataDirectory = NullIfBlank(section["DataDirectory"]),
            BinDirectory = NullIfBlank(section["BinDirectory"]),
        };
    }

    public static PostgresHostingMode ParseMode(string? value) =>
        string.IsNullOrWhiteSpace(value) ? PostgresHostingMode.Auto
        : Enum.TryParse<PostgresHostingMode>(value.Trim(), ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(value, out _) ? mode
        : throw new CatalogSetupException($"{SectionName}:Mode is '{value}'; use one of: auto, container, local.");

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
