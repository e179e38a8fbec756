using System.Globalization;

namespace ProductCatalog.AppHost.Hosting;

/// <summary>
/// The file DCP starts for a local server: a two-line POSIX script named after the server (so the
/// dashboard's Source column reads <c>postgres -D …</c> or <c>rabbitmq-server</c>, not a wrapper)
/// that replaces itself with the server run as its service user, optionally behind
/// <see cref="ForegroundServer"/> when DCP's SIGTERM is not the server's clean stop.
/// </summary>
internal sealed class ServerLauncher(string path, ServiceAccount account, string program, string? stopSignal)
{
    /// <summary>The launcher's path: a <c>launch</c> folder next to the data, named after the program.</summary>
    public static string PathFor(string runDirectory, string program) =>
        System.IO.Path.Combine(runDirectory, "launch", System.IO.Path.GetFileName(program));

    public string Path { get; } = path;

    /// <summary>The script's text; the resource's own arguments arrive as <c>"$@"</c>.</summary>
    public string Script()
    {
        var (command, args) = stopSignal is null
            ? account.Wrap(program, [])
            : account.Wrap(ForegroundServer.Shell, ForegroundServer.Args(stopSignal, program));
        var line = string.Join(' ', new[] { command }.Concat(args).Select(ForegroundServer.Quote));
        return string.Create(CultureInfo.InvariantCulture,
            $"#!/bin/sh\n# Written by the AppHost before each start: {System.IO.Path.GetFileName(program)} as {account.UserName}.\nexec {line} \"$@\"\n");
    }

    public async Task WriteAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        await File.WriteAllTextAsync(Path, Script(), ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
