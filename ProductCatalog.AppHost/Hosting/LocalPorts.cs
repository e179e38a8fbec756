using System.Net;
using System.Net.Sockets;

namespace ProductCatalog.AppHost.Hosting;

public static class LocalPorts
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
}
