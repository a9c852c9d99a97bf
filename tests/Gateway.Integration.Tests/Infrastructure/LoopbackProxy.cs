using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>
/// A small forwarding proxy on a loopback port that records what went through it. One listener speaks
/// both protocols a provider's <c>Proxy</c> may name: HTTP (absolute-URI requests are forwarded, CONNECT
/// is tunnelled) and SOCKS5 (CONNECT). With <see cref="RequiredCredentials"/> it asks for them the way
/// real proxies do: HTTP 407 with a Basic challenge, SOCKS5 username/password (RFC 1929).
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accepting;

    private LoopbackProxy((string User, string Password)? requiredCredentials)
    {
        RequiredCredentials = requiredCredentials;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>When set, requests without these credentials are refused.</summary>
    public (string User, string Password)? RequiredCredentials { get; }

    /// <summary>Requests the proxy carried (refused ones are not recorded).</summary>
    public IReadOnlyList<ProxiedRequest> Requests => [.. _requests];

    /// <summary>Credentials presented that did not match, as <c>user:password</c>.</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    public static LoopbackProxy Start((string User, string Password)? requiredCredentials = null) => new(requiredCredentials);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll([_accepting, .. _connections]).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        try
        {
            var first = new byte[1];
            if (await stream.ReadAsync(first, _stop.Token) == 0)
            {
                return;
            }

            if (first[0] == 5)
            {
                await ServeSocksAsync(stream, _stop.Token);
            }
            else
            {
                await ServeHttpAsync(stream, first, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A side went away; so does this connection.
        }
    }

    private async Task ServeHttpAsync(NetworkStream client, byte[] first, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> buffered = first;
        while (true)
        {
            var (head, rest) = await ReadHeadAsync(client, buffered, cancellationToken);
            if (head is null)
            {
                return;
            }

            var lines = head.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            var headers = lines.Skip(1).Where(l => l.Length > 0).Select(l => (Name: l[..l.IndexOf(':', StringComparison.Ordinal)], Value: l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToList();
            var presented = headers.Where(h => h.Name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)).Select(h => DecodeBasic(h.Value)).FirstOrDefault();
            if (RequiredCredentials is { } required && presented != $"{required.User}:{required.Password}")
            {
                if (presented is not null)
                {
                    Refused.Enqueue(presented);
                }

                // Drop the refused request's body, then let the client retry on the same connection.
                var length = headers.Where(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => long.Parse(h.Value, CultureInfo.InvariantCulture)).FirstOrDefault();
                buffered = await SkipAsync(client, rest, length, cancellationToken);
                await client.WriteAsync("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"loopback\"\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), cancellationToken);
                continue;
            }

            if (requestLine[0] == "CONNECT")
            {
                var (host, port) = SplitAuthority(requestLine[1]);
                _requests.Enqueue(new ProxiedRequest("connect", $"{host}:{port}", presented));
                using var upstream = await ConnectAsync(host, port, cancellationToken);
                await client.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), cancellationToken);
                await TunnelAsync(client, upstream, rest, cancellationToken);
                return;
            }

            // Absolute-form request: forward it in origin form on a connection of its own, then close.
            var target = new Uri(requestLine[1]);
            _requests.Enqueue(new ProxiedRequest("http", $"{target.Host}:{target.Port}", presented) { Path = target.PathAndQuery });
            using var origin = await ConnectAsync(target.Host, target.Port, cancellationToken);
            var forwarded = new StringBuilder()
                .Append(requestLine[0]).Append(' ').Append(target.PathAndQuery).Append(' ').Append(requestLine[2]).Append("\r\n");
            foreach (var (name, value) in headers.Where(h => !h.Name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) && !h.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase)))
            {
                forwarded.Append(name).Append(": ").Append(value).Append("\r\n");
            }

            forwarded.Append("Connection: close\r\n\r\n");
            await origin.GetStream().WriteAsync(Encoding.ASCII.GetBytes(forwarded.ToString()), cancellationToken);
            await TunnelAsync(client, origin, rest, cancellationToken);
            return;
        }
    }

    private async Task ServeSocksAsync(NetworkStream client, CancellationToken cancellationToken)
    {
        var count = new byte[1];
        await client.ReadExactlyAsync(count, cancellationToken);
        var methods = new byte[count[0]];
        await client.ReadExactlyAsync(methods, cancellationToken);
        string? presented = null;
        if (RequiredCredentials is { } required)
        {
            if (!methods.Contains((byte)2))
            {
                await client.WriteAsync(new byte[] { 5, 0xFF }, cancellationToken);
                return;
            }

            await client.WriteAsync(new byte[] { 5, 2 }, cancellationToken);
            var version = new byte[2];
            await client.ReadExactlyAsync(version, cancellationToken);
            var user = new byte[version[1]];
            await client.ReadExactlyAsync(user, cancellationToken);
            var passwordLength = new byte[1];
            await client.ReadExactlyAsync(passwordLength, cancellationToken);
            var password = new byte[passwordLength[0]];
            await client.ReadExactlyAsync(password, cancellationToken);
            presented = Encoding.UTF8.GetString(user) + ":" + Encoding.UTF8.GetString(password);
            if (presented != $"{required.User}:{required.Password}")
            {
                Refused.Enqueue(presented);
                await client.WriteAsync(new byte[] { 1, 1 }, cancellationToken);
                return;
            }

            await client.WriteAsync(new byte[] { 1, 0 }, cancellationToken);
        }
        else
        {
            await client.WriteAsync(new byte[] { 5, 0 }, cancellationToken);
        }

        var request = new byte[4];
        await client.ReadExactlyAsync(request, cancellationToken);
        string host;
        switch (request[3])
        {
            case 1:
                var ipv4 = new byte[4];
                await client.ReadExactlyAsync(ipv4, cancellationToken);
                host = new IPAddress(ipv4).ToString();
                break;
            case 4:
                var ipv6 = new byte[16];
                await client.ReadExactlyAsync(ipv6, cancellationToken);
                host = new IPAddress(ipv6).ToString();
                break;
            default:
                var length = new byte[1];
                await client.ReadExactlyAsync(length, cancellationToken);
                var name = new byte[length[0]];
                await client.ReadExactlyAsync(name, cancellationToken);
                host = Encoding.ASCII.GetString(name);
                break;
        }

        var portBytes = new byte[2];
        await client.ReadExactlyAsync(portBytes, cancellationToken);
        var port = (portBytes[0] << 8) | portBytes[1];
        _requests.Enqueue(new ProxiedRequest("socks5", $"{host}:{port}", presented));
        using var upstream = await ConnectAsync(host, port, cancellationToken);
        await client.WriteAsync(new byte[] { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, cancellationToken);
        await TunnelAsync(client, upstream, ReadOnlyMemory<byte>.Empty, cancellationToken);
    }

    // Reads up to the blank line that ends a request head; returns the head and the bytes read past it.
    private static async Task<(string? Head, ReadOnlyMemory<byte> Remainder)> ReadHeadAsync(NetworkStream stream, ReadOnlyMemory<byte> buffered, CancellationToken cancellationToken)
    {
        var data = new List<byte>(buffered.ToArray());
        var chunk = new byte[4096];
        while (true)
        {
            var end = IndexOf(data, HeaderEnd);
            if (end >= 0)
            {
                return (Encoding.ASCII.GetString([.. data.Take(end)]), data.Skip(end + HeaderEnd.Length).ToArray());
            }

            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return (null, ReadOnlyMemory<byte>.Empty);
            }

            data.AddRange(chunk.AsSpan(0, read));
        }
    }

    private static async Task<ReadOnlyMemory<byte>> SkipAsync(NetworkStream stream, ReadOnlyMemory<byte> rest, long length, CancellationToken cancellationToken)
    {
        if (rest.Length >= length)
        {
            return rest[(int)length..];
        }

        var remaining = new byte[length - rest.Length];
        await stream.ReadExactlyAsync(remaining, cancellationToken);
        return ReadOnlyMemory<byte>.Empty;
    }

    // Copies both ways until the origin side ends, then closes both.
    private static async Task TunnelAsync(NetworkStream client, TcpClient upstream, ReadOnlyMemory<byte> pending, CancellationToken cancellationToken)
    {
        var origin = upstream.GetStream();
        if (!pending.IsEmpty)
        {
            await origin.WriteAsync(pending, cancellationToken);
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = client.CopyToAsync(origin, done.Token);
        await origin.CopyToAsync(client, cancellationToken);
        await done.CancelAsync();
        try
        {
            await up;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client's side had nothing more to say.
        }
    }

    private static async Task<TcpClient> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var upstream = new TcpClient { NoDelay = true };
        await upstream.ConnectAsync(host, port, cancellationToken);
        return upstream;
    }

    private static (string Host, int Port) SplitAuthority(string authority)
    {
        var colon = authority.LastIndexOf(':');
        return (authority[..colon].Trim('[', ']'), int.Parse(authority[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    private static string? DecodeBasic(string value) =>
        value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8.GetString(Convert.FromBase64String(value[6..].Trim())) : value;

    private static int IndexOf(List<byte> data, byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= data.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = data[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
