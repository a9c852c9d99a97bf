using System.Net;
using System.Net.Sockets;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>Free loopback ports for processes the tests start.</summary>
public static class LoopbackPort
{
    /// <summary>A port that was free a moment ago (the OS hands out a fresh one to a listener on port 0).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
