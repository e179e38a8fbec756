using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ProductCatalog.AppHost.Hosting;

/// <summary>How one local server is started: what DCP runs and what happens before each start.</summary>
/// <param name="Launcher">The script DCP runs (named after the server).</param>
/// <param name="Args">The server's own arguments, as the dashboard shows them.</param>
/// <param name="PortVariable">The environment variable the server reads its port from.</param>
/// <param name="PrepareAsync">Before every start: data directory, configuration, credentials (password, logger, the app's services).</param>
/// <param name="Description">The console line's text after "local executable".</param>
internal sealed record LocalServerLaunch(
    ServerLauncher Launcher,
    string[] Args,
    string PortVariable,
    Func<string, ILogger, IServiceProvider, CancellationToken, Task> PrepareAsync,
    string Description);

/// <summary>
/// Puts a <see cref="LocalServerResource"/> into the model the one way every local server is put
/// there: launcher and preparation before each start, a fixed loopback port, the connection string
/// captured for health checks, its role on the dashboard, out of the manifest.
/// </summary>
internal static class LocalServerHosting
{
    // Ports handed out by this AppHost, none twice: a chosen port stays unbound until its server starts.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> s_handedOut = new();

    /// <summary>
    /// A loopback port that is free now. Local servers get fixed ports chosen per run, so two
    /// AppHosts (or test runs) side by side never collide and a restarted server keeps its port.
    /// </summary>
    /// <remarks>
    /// On Linux the port comes from above the kernel's ephemeral range
    /// (<c>net.ipv4.ip_local_port_range</c>), where binding port 0 would pick: a port from there
    /// can become any outgoing connection's source port in the seconds before its server binds it
    /// (a cluster node waits for the first node), and the server then fails to start. DCP's own
    /// ports are below that range.
    /// </remarks>
    public static int FreeLoopbackPort()
    {
        if (AboveEphemeralRange() is var (low, high))
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Random.Shared.Next(low, high + 1);
                if (!s_handedOut.ContainsKey(port) && IsFree(port) && s_handedOut.TryAdd(port, true))
                {
                    return port;
                }
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var any = ((IPEndPoint)listener.LocalEndpoint).Port;
        s_handedOut.TryAdd(any, true);
        return any;
    }

    private static (int Low, int High)? AboveEphemeralRange()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        if (!File.Exists(range)
            || File.ReadAllText(range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) is not [_, var last]
            || !int.TryParse(last, System.Globalization.CultureInfo.InvariantCulture, out var ephemeralHigh)
            || ephemeralHigh > 65535 - 1000)
        {
            return null;
        }

        return (ephemeralHigh + 1, 65535);
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static IResourceBuilder<T> AddLocalServer<T>(
        this IDistributedApplicationBuilder builder, T server, LocalServerLaunch launch, int port, string iconName)
        where T : LocalServerResource
    {
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            server.ConnectionString = await server.ConnectionStringExpression.GetValueAsync(ct) ?? "");

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (@event, ct) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            await launch.Launcher.WriteAsync(ct);
            await launch.PrepareAsync(await server.PasswordParameter.GetValueAsync(ct) ?? "", logger, @event.Services, ct);
        });

        BackingServiceHosting.LogAtStartup(builder, server.Name, $"local executable {launch.Description}, port {port}, {server.Role}");

        return builder.AddResource(server)
            .WithArgs(launch.Args)
            // Not proxied: behind DCP's proxy a stopped server still accepts TCP connections, so
            // clients hang until their connect timeout instead of failing fast.
            .WithEndpoint(port: port, targetPort: port, name: LocalServerResource.PrimaryEndpointName, scheme: "tcp", env: launch.PortVariable, isProxied: false)
            .WithIconName(iconName)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Executable",
                Properties = [new(LocalServerRoles.PropertyName, server.Role) { DisplayName = "Role", IsHighlighted = true }],
            })
            .ExcludeFromManifest();
    }

    /// <summary>"binary, data directory ... (persistent|temporary)", and the clean-up of a temporary one.</summary>
    public static string DescribeData(this IDistributedApplicationBuilder builder, string binary, string dataDirectory, bool temporary)
    {
        if (temporary)
        {
            LocalDataDirectory.DeleteWhenStopped(builder, dataDirectory);
        }

        return $"{binary}, data directory {dataDirectory} ({(temporary ? "temporary, deleted when the app stops" : "persistent")})";
    }
}
