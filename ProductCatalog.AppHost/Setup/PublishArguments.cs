namespace ProductCatalog.AppHost.Setup;

/// <summary>Command-line mistakes Aspire reports late (a logged stack trace, then exit code 0).</summary>
public static class PublishArguments
{
    /// <summary><c>--publisher manifest</c> needs <c>--output-path</c>: say so before anything runs.</summary>
    public static void ThrowIfIncomplete(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var publisher = args.Select((arg, i) => (arg, i)).FirstOrDefault(a => a.arg == "--publisher").i;
        var manifest = args.Contains("--publisher") && publisher + 1 < args.Count && args[publisher + 1] == "manifest";
        if (manifest && !args.Any(a => a == "--output-path" || a.StartsWith("--output-path=", StringComparison.Ordinal)))
        {
            throw new CatalogSetupException(
                "'--publisher manifest' needs '--output-path <file>', e.g. dotnet run --project ProductCatalog.AppHost -- --publisher manifest --output-path manifest.json");
        }
    }
}
