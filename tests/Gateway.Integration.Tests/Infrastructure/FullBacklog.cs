using System.Net;
using System.Net.Sockets;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>
/// A listening port whose accept queue is full and never drained: the kernel drops further SYNs, so a
/// new connection attempt hangs (an upstream behind a black-holing firewall, reproduced on loopback).
/// </summary>
public sealed class FullBacklog : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    private FullBacklog()
    {
    }

    public int Port { get; private set; }

    public static FullBacklog Start()
    {
        var backlog = new FullBacklog();
        backlog._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        backlog._listener.Listen(0);
        backlog.Port = ((IPEndPoint)backlog._listener.LocalEndPoint!).Port;

        // Fill the queue until a connect no longer completes promptly.
        for (var i = 0; i < 16; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            backlog._fillers.Add(filler);
            if (!filler.ConnectAsync(IPAddress.Loopback, backlog.Port).Wait(TimeSpan.FromMilliseconds(200)))
            {
                return backlog;
            }
        }

        throw new InvalidOperationException("could not fill the accept queue");
    }

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
    }
}
