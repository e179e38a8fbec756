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
    /// <summary>
    /// A loopback port that is free now. Local servers get fixed ports chosen per run, so two
    /// AppHosts (or test runs) side by side never collide and a restarted server keeps its port.
    /// </summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
