namespace ProductCatalog.AppHost.Setup;

/// <summary>
/// Something on this machine or in the configuration keeps the app from starting (missing
/// binaries, a taken port, a wrong setting). The AppHost's entry point prints the message alone
/// and exits 1: a stack trace would only hide the one line that says what to do.
/// </summary>
public sealed class CatalogSetupException(string message) : InvalidOperationException(message);
