using Microsoft.Extensions.Configuration;

namespace ProductCatalog.AppHost.Hosting;

/// <summary>The <c>Catalog:&lt;Service&gt;</c> configuration section every locally hostable server shares.</summary>
public sealed class BackingServiceOptions
{
    public HostingMode Mode { get; set; } = HostingMode.Auto;

    /// <summary>
    /// Keep data between runs (a container volume, or a fixed local data directory).
    /// Test runs set this to false to get a fresh, temporary one.
    /// </summary>
    public bool Persistent { get; set; } = true;

    /// <summary>Local mode: the data directory to use instead of the default one.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Local mode: the folder that holds the server's programs, instead of searching.</summary>
    public string? BinDirectory { get; set; }

    public static BackingServiceOptions From(IConfiguration configuration, string sectionName)
    {
        var section = configuration.GetSection(sectionName);
        return new BackingServiceOptions
        {
            Mode = ParseMode(section["Mode"], sectionName),
            Persistent = section.GetValue("Persistent", defaultValue: true),
            DataDirectory = NullIfBlank(section["DataDirectory"]),
            BinDirectory = NullIfBlank(section["BinDirectory"]),
        };
    }

    public static HostingMode ParseMode(string? value, string sectionName) =>
        string.IsNullOrWhiteSpace(value) ? HostingMode.Auto
        : Enum.TryParse<HostingMode>(value.Trim(), ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(value, out _) ? mode
        : throw new CatalogSetupException($"{sectionName}:Mode is '{value}'; use one of: auto, container, local.");

    /// <summary>
    /// Parses a <c>Catalog:&lt;Service&gt;:Publish</c> setting: blank is <paramref name="defaultValue"/>,
    /// anything but a declared name (numbers included) is an error that lists the allowed values.
    /// </summary>
    public static TEnum ParsePublishMode<TEnum>(string? value, string settingKey, TEnum defaultValue)
        where TEnum : struct, Enum =>
        string.IsNullOrWhiteSpace(value) ? defaultValue
        : Enum.TryParse<TEnum>(value.Trim(), ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(value, out _) ? mode
        : throw new CatalogSetupException(
            $"{settingKey} is '{value}'; use one of: {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}.");

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
