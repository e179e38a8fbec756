using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace ProductCatalog.Tests.Prerequisites;

/// <summary>
/// What the suite needs from the machine besides the .NET SDK: PostgreSQL and RabbitMQ server binaries
/// (when no container runtime answers), Node.js's <c>npx</c> (the OpenAPI lint) and a Chromium (the browser
/// tests). Each is used when present; otherwise acquired the way <c>.ci/run</c> does, saying so in
/// the test output; where that cannot work the test fails with the one command that fixes it.
/// So <c>dotnet test</c> on a fresh clone needs no step before it.
/// </summary>
internal static class MachinePrerequisites
{
    /// <summary>Overrides the browser, e.g. <c>CATALOG_CHROMIUM=/usr/bin/google-chrome</c>.</summary>
    public const string ChromiumVariable = "CATALOG_CHROMIUM";

    private static readonly string[] s_chromiumNames = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(6);

    // One package manager run at a time (dpkg holds a lock), and `apt-get update` once per run.
    private static readonly SemaphoreSlim s_packageManager = new(1, 1);
    private static readonly Lazy<Task<ChromiumExecutable>> s_chromium = new(() => Task.Run(FindOrInstallChromiumAsync));
    private static readonly Dictionary<string, Lazy<Task<string>>> s_commands = new()
    {
        ["npx"] = Command("npx", "Node.js (the OpenAPI document is linted with Redocly through npx)", ["nodejs", "npm"], "sudo apt-get install nodejs npm  (or see https://nodejs.org/en/download)"),
        ["curl"] = Command("curl", "curl (README's calls)", ["curl"], "sudo apt-get install curl"),
        ["jq"] = Command("jq", "jq (README's calls)", ["jq"], "sudo apt-get install jq  (macOS: brew install jq)"),
        ["ss"] = Command("ss", "iproute2's ss (a fault test finds the process listening on an api replica's port)", ["iproute2"], "sudo apt-get install iproute2"),
    };
    private static bool s_packageListsUpdated;

    /// <summary>The browser Playwright should launch; starts looking (and installing) on first use.</summary>
    public static Task<ChromiumExecutable> ChromiumAsync() => s_chromium.Value;

    /// <summary>The full path of <c>npx</c>; starts looking (and installing) on first use.</summary>
    public static Task<string> NpxAsync() => s_commands["npx"].Value;

    /// <summary>The full path of <c>ss</c>; starts looking (and installing) on first use.</summary>
    public static Task<string> SsAsync() => s_commands["ss"].Value;

    /// <summary>Makes sure <c>curl</c> and <c>jq</c>, which README's calls use, are on PATH.</summary>
    public static Task ReadmeToolsAsync() => Task.WhenAll(s_commands["curl"].Value, s_commands["jq"].Value);

    /// <summary>
    /// Makes sure the AppHost can start its backing servers: a container runtime that answers, or
    /// local server binaries (installed from the distribution's packages when missing).
    /// </summary>
    public static async Task EnsureBackingServersAsync(CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        await EnsureServerAsync(configuration, CatalogPostgresExtensions.Service, "postgresql",
            "sudo apt-get install postgresql  (macOS: brew install postgresql@16)",
            () => PostgresInstallation.FindOnThisMachine(null) is not null, ct);
        //#if (events)
        await EnsureServerAsync(configuration, CatalogMessagingExtensions.Service, "rabbitmq-server",
            "sudo apt-get install rabbitmq-server  (macOS: brew install rabbitmq)",
            () => RabbitMQInstallation.FindOnThisMachine(null) is not null, ct);
        //#endif
    }

    private static async Task EnsureServerAsync(
        IConfiguration configuration, BackingService service, string package, string fix, Func<bool> installed, CancellationToken ct)
    {
        var options = BackingServiceOptions.From(configuration, service.SectionName);
        if (options.Mode == HostingMode.Container
            || (options.Mode == HostingMode.Auto && ContainerRuntimeProbe.IsAvailable(configuration))
            || options.BinDirectory is not null // the AppHost reports a wrong folder itself
            || installed())
        {
            return;
        }

        Say($"{service.DisplayName}: no container runtime answered and no {service.Binaries} were found {service.SearchedLocations}.");
        await InstallPackagesAsync(service.DisplayName, [package], fix, ct);
        if (!installed())
        {
            throw new InvalidOperationException($"{package} was installed but the {service.Binaries} are still not found {service.SearchedLocations}.");
        }
    }

    /// <summary>Only the test's own output, or the run's diagnostics when no test is running (fixture start).</summary>
    public static void Say(string message) =>
        TestContext.Current.SendDiagnosticMessage("prerequisites: " + message);

    private static async Task<ChromiumExecutable> FindOrInstallChromiumAsync()
    {
        if (Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? new ChromiumExecutable(configured)
                : throw new InvalidOperationException($"{ChromiumVariable} is '{configured}', which does not exist. Unset it, or point it at a Chromium or Chrome binary.");
        }

        if (FindOnPath(s_chromiumNames) is { } system)
        {
            return new ChromiumExecutable(system);
        }

        // The ecosystem's way: Playwright downloads its own build (needs the internet).
        Say("Chromium: none on PATH (" + string.Join(", ", s_chromiumNames) + "); trying Playwright's installer (playwright install chromium)...");
        var exitCode = await Task.Run(() => Microsoft.Playwright.Program.Main(["install", "chromium"])).WaitAsync(s_installTimeout);
        if (exitCode == 0)
        {
            Say("Chromium: Playwright's own build is installed.");
            return new ChromiumExecutable(null);
        }

        Say($"Chromium: Playwright's installer failed (exit code {exitCode}; it downloads from the internet).");
        await InstallPackagesAsync("Chromium", ["chromium"], "sudo apt-get install chromium  (or, with internet access: pwsh ProductCatalog.Tests/bin/Debug/net10.0/playwright.ps1 install chromium)", CancellationToken.None);
        return FindOnPath(s_chromiumNames) is { } installed
            ? new ChromiumExecutable(installed)
            : throw new InvalidOperationException("The chromium package was installed but no chromium binary is on PATH.");
    }

    private static Lazy<Task<string>> Command(string name, string what, string[] packages, string fix) =>
        new(() => Task.Run(async () =>
        {
            if (FindOnPath([name]) is { } found)
            {
                return found;
            }

            Say($"{name} is not on PATH: it is needed for {what}.");
            await InstallPackagesAsync(what, packages, fix, CancellationToken.None);
            return FindOnPath([name]) ?? throw new InvalidOperationException($"{string.Join(' ', packages)} installed, but {name} is still not on PATH.");
        }));

    /// <summary>
    /// Installs Debian/Ubuntu packages when this process may (root, apt-get present); otherwise, or
    /// when that fails, throws with <paramref name="fix"/>, the command a person runs instead.
    /// </summary>
    private static async Task InstallPackagesAsync(string what, string[] packages, string fix, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || FindOnPath(["apt-get"]) is not { } aptGet)
        {
            throw new InvalidOperationException($"{what} is missing and this process cannot install it (it needs apt-get as root). Run: {fix}");
        }

        await s_packageManager.WaitAsync(ct);
        try
        {
            if (!s_packageListsUpdated)
            {
                Say("apt-get update");
                await RunAsync(aptGet, ["update", "-qq"], what, fix, ct);
                s_packageListsUpdated = true;
            }

            string[] install = ["install", "-y", "-qq", "--no-install-recommends", .. packages];
            Say($"{what}: installing the distribution's package: apt-get {string.Join(' ', install)} (a minute or two)...");
            var started = Stopwatch.StartNew();
            await RunAsync(aptGet, install, what, fix, ct);
            Say($"{what}: installed in {started.Elapsed.TotalSeconds:0} s.");
        }
        finally
        {
            s_packageManager.Release();
        }
    }

    private static async Task RunAsync(string program, string[] args, string what, string fix, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(s_installTimeout, ct);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{what}: '{program} {string.Join(' ', args)}' did not finish within {s_installTimeout.TotalMinutes} minutes. Run: {fix}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{what}: '{program} {string.Join(' ', args)}' failed with exit code {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}\nRun: {fix}");
        }
    }

    private static string? FindOnPath(IEnumerable<string> names)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return names
            .SelectMany(name => directories.Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>A browser binary to launch, or null for the build Playwright downloaded itself.</summary>
internal sealed record ChromiumExecutable(string? Path);
