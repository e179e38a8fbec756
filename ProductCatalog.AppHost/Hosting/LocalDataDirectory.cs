using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ProductCatalog.AppHost.Hosting;

/// <summary>Where a local server keeps its data: a fixed folder per clone, or a temporary one per run.</summary>
public static class LocalDataDirectory
{
    /// <summary>
    /// The default persistent location: per clone of the repository (hash of the AppHost folder),
    /// outside /root when running as root because the service user must be able to reach it.
    /// </summary>
    public static string DefaultPersistentPath(string appHostDirectory, string leaf)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(appHostDirectory)))[..12];
        var root = ServiceAccount.RunsAsRoot
            ? "/var/lib/productcatalog"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "productcatalog");
        return Path.Combine(root, id, leaf);
    }

    /// <summary>A fresh folder under the temp directory; its parent is unique to this run.</summary>
    public static string NewTemporaryPath(string prefix, string leaf) =>
        Path.Combine(Path.GetTempPath(), prefix, Guid.NewGuid().ToString("N"), leaf);

    /// <summary>The path the options ask for: an explicit one, the per-clone one, or a temporary one.</summary>
    public static string Resolve(BackingServiceOptions options, string appHostDirectory, string temporaryPrefix, string leaf)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.DataDirectory
            ?? (options.Persistent ? DefaultPersistentPath(appHostDirectory, leaf) : NewTemporaryPath(temporaryPrefix, leaf));
    }

    /// <summary>Whether <see cref="Resolve"/> made up a temporary folder that nobody else will use again.</summary>
    public static bool IsTemporary(BackingServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return !options.Persistent && options.DataDirectory is null;
    }

    /// <summary>Deletes the run's folder (the parent of <paramref name="path"/>) once the app has stopped.</summary>
    public static void DeleteWhenStopped(IDistributedApplicationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            // DCP stops the servers before ApplicationStopped fires, so the folder is free by then.
            @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => DeleteQuietly(path));
            return Task.CompletedTask;
        });
    }

    public static void DeleteQuietly(string path)
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
