namespace ProductCatalog.Tests.Deployment;

/// <summary>Paths in the repository clone the tests run from, and the build configuration in use.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string AppHostProject => Path.Combine(Root, "ProductCatalog.AppHost", "ProductCatalog.AppHost.csproj");

    public static string AppHostInfra => Path.Combine(Root, "ProductCatalog.AppHost", "infra");

    public static string Workflows => Path.Combine(Root, ".github", "workflows");

    public static string Kubernetes => Path.Combine(Root, "deploy", "kubernetes");

    public static string Schema(string fileName) => Path.Combine(AppContext.BaseDirectory, "Deployment", "Schemas", fileName);

    /// <summary>Debug or Release: the segment after <c>bin</c> in this test assembly's folder.</summary>
    public static string Configuration { get; } = FindConfiguration();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProductCatalog.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ProductCatalog.sln above {AppContext.BaseDirectory}.");
    }

    private static string FindConfiguration()
    {
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
    }
}
