using System.Text.Json;

namespace ProductCatalog.Tests.Browser;

/// <summary>
/// The pictures README shows (<c>ProductCatalog.Tests/Browser/Screenshots/</c>), each with what it
/// shows saved beside it as read off the page when it was taken (<c>name.json</c>), so a test can
/// hold the picture to the app model by names rather than by pixels.
/// </summary>
internal static class CommittedPictures
{
    /// <summary>Set to 1 to copy the browser tests' screenshots over the committed ones.</summary>
    public const string UpdateVariable = "CATALOG_UPDATE_SCREENSHOTS";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public static string Folder => Path.Combine(RepositoryPaths.Root, "ProductCatalog.Tests", "Browser", "Screenshots");

    /// <summary>What the committed picture <paramref name="name"/> shows, as saved with it.</summary>
    public static IReadOnlyList<string> Shows(string name)
    {
        var sidecar = Path.Combine(Folder, Path.ChangeExtension(name, ".json"));
        Assert.True(File.Exists(sidecar), $"{sidecar} is missing: run `{UpdateVariable}=1 dotnet test --filter DashboardTests`.");
        return JsonSerializer.Deserialize<string[]>(File.ReadAllText(sidecar)) ?? [];
    }

    /// <summary>
    /// With <c>CATALOG_UPDATE_SCREENSHOTS=1</c>, copies a screenshot over the committed picture and
    /// saves what it shows beside it; otherwise does nothing.
    /// </summary>
    public static void Update(string screenshot, string name, IReadOnlyList<string> shows)
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) != "1")
        {
            return;
        }

        Directory.CreateDirectory(Folder);
        File.Copy(screenshot, Path.Combine(Folder, name), overwrite: true);
        File.WriteAllText(Path.Combine(Folder, Path.ChangeExtension(name, ".json")), JsonSerializer.Serialize(shows, s_json) + "\n");
    }
}
