namespace ProductCatalog.AppHost.Setup;

/// <summary>
/// Something on this machine or in the configuration keeps the app from starting (missing
/// binaries, a taken port, a wrong setting). The AppHost prints the message alone and exits 1:
/// a stack trace would only hide the one line that says what to do.
/// </summary>
public sealed class CatalogSetupException(string message) : InvalidOperationException(message)
{
    /// <summary>
    /// From here on, a <see cref="CatalogSetupException"/> nobody catches ends the process with its
    /// message on stderr and exit code 1 instead of the runtime's crash report (exit code 134).
    /// A handler rather than a try/catch around the entry point keeps <c>AppHost.cs</c> flat.
    /// </summary>
    public static void ExitWithMessageWhenThrown() =>
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is CatalogSetupException setup)
            {
                Console.Error.WriteLine($"ProductCatalog.AppHost cannot start: {setup.Message}");
                Environment.Exit(1);
            }
        };
}
