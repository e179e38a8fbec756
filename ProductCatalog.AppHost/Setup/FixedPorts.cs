using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace ProductCatalog.AppHost.Setup;

/// <summary>
/// The few ports a local run listens on at fixed numbers: the api's (5180, so README's calls work)
/// and the dashboard's. When another process holds one, DCP would still report the resource as
/// started while that other process answers; checking first fails at once, naming the port and
/// the setting that moves it.
/// </summary>
public static class FixedPorts
{
    /// <summary>Moves the api's http endpoint (default: its launch profile's 5180).</summary>
    public const string ApiHttpPortSetting = "Catalog:Api:HttpPort";

    private static readonly (string Setting, string What)[] s_dashboardSettings =
    [
        ("ASPNETCORE_URLS", "the dashboard"),
        ("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "the dashboard's OTLP endpoint"),
        ("ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL", "the dashboard's resource service"),
    ];

    /// <summary>Applies <see cref="ApiHttpPortSetting"/> to the project's <c>http</c> endpoint when set.</summary>
    public static IResourceBuilder<ProjectResource> WithHttpPortFromConfiguration(this IResourceBuilder<ProjectResource> project, string setting)
    {
        ArgumentNullException.ThrowIfNull(project);
        var value = project.ApplicationBuilder.Configuration[setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return project;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new CatalogSetupException($"{setting} is '{value}'; use a TCP port number (1-65535).");
        }

        return project.WithEndpoint("http", endpoint => endpoint.Port = port);
    }

    /// <summary>
    /// Throws <see cref="CatalogSetupException"/> when a fixed port of this run is taken. Test runs
    /// (random ports) and publish mode listen on nothing fixed and are not checked.
    /// </summary>
    public static void ThrowIfTaken(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(api);
        if (builder.ExecutionContext.IsPublishMode || builder.Configuration.GetValue("DcpPublisher:RandomizePorts", false))
        {
            return;
        }

        var wanted = new List<(int Port, string What, string Setting)>();
        foreach (var endpoint in api.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.Port is not null))
        {
            wanted.Add((endpoint.Port!.Value, $"the {api.Resource.Name}'s {endpoint.Name} endpoint",
                $"{ApiHttpPortSetting} (e.g. dotnet run --project ProductCatalog.AppHost -- {ApiHttpPortSetting}={endpoint.Port + 1})"));
        }

        foreach (var (setting, what) in s_dashboardSettings)
        {
            foreach (var url in (builder.Configuration[setting] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback && uri.Port > 0)
                {
                    wanted.Add((uri.Port, what, $"{setting} (e.g. dotnet run --project ProductCatalog.AppHost -- {setting}={uri.Scheme}://localhost:{uri.Port + 1})"));
                }
            }
        }

        foreach (var (port, what, setting) in wanted)
        {
            if (IsTaken(port))
            {
                throw new CatalogSetupException(
                    $"Port {port} ({what}) is already in use by another process: is the app already running? Stop that process, or move the port with {setting}.");
            }
        }
    }

    /// <summary>True when binding the port on the IPv4 or IPv6 loopback address fails because it is in use.</summary>
    internal static bool IsTaken(int port) => IsTaken(IPAddress.Loopback, port) || (Socket.OSSupportsIPv6 && IsTaken(IPAddress.IPv6Loopback, port));

    private static bool IsTaken(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return true;
        }
        catch (SocketException)
        {
            // e.g. no IPv6 loopback on this machine: nothing can hold the port there.
            return false;
        }
    }
}
