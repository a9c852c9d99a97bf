using System.Net.Sockets;
using System.Text;

namespace Gateway.Integration.Tests.Hardening;

/// <summary>
/// HTTP framing sent over a raw socket. <paramref name="ReachesGateway"/>: the head is valid, so gateway code
/// reads the body and must answer a 4xx in its envelope; otherwise Kestrel itself may answer its bare 4xx
/// or close the connection. <paramref name="Lenient"/>: framing Kestrel accepts as valid HTTP, which may
/// reach the upstream. Never a 5xx.
/// </summary>
public sealed record HostileFraming(string Name, string Raw, bool ReachesGateway, bool Lenient = false)
{
    public override string ToString() => Name;

    public static IReadOnlyList<HostileFraming> Cases(string path)
    {
        var head = $"POST {path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nAuthorization: Bearer {HostileCorpus.ClientKey}\r\nContent-Type: application/json\r\n";
        const string body = """{"model":"gpt-test","max_tokens":5,"messages":[{"role":"user","content":"hello"}]}""";
        return
        [
            new("chunk size overflow", head + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n" + body + "\r\n0\r\n\r\n", true),
            new("chunk size not hex", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n", true),
            new("chunk size negative", head + "Transfer-Encoding: chunked\r\n\r\n-5\r\n" + body + "\r\n0\r\n\r\n", true),
            new("chunk longer than its size", head + "Transfer-Encoding: chunked\r\n\r\n5\r\n" + body + "\r\n0\r\n\r\n", true),
            new("chunk without CRLF", head + "Transfer-Encoding: chunked\r\n\r\n" + body.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n" + body + "0\r\n\r\n", true),
            new("chunk extension garbage", head + "Transfer-Encoding: chunked\r\n\r\n" + body.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + ";\u0001\r\n" + body + "\r\n0\r\n\r\n", false, Lenient: true),
            new("content-length and chunked", head + $"Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n" + body, false),
            new("two content-lengths", head + $"Content-Length: {body.Length}\r\nContent-Length: 3\r\n\r\n" + body, false),
            new("negative content-length", head + "Content-Length: -1\r\n\r\n" + body, false),
            new("content-length not a number", head + "Content-Length: abc\r\n\r\n" + body, false),
            new("content-length overflow", head + "Content-Length: 99999999999999999999999\r\n\r\n" + body, false),
            new("unknown transfer encoding", head + "Transfer-Encoding: gzip\r\n\r\n" + body, false),
            new("header without colon", head + "NoColonHere\r\n\r\n", false),
            new("NUL in a header", head + "X-Bad: a\0b\r\nContent-Length: 0\r\n\r\n", false),
            new("request line garbage", "GARBAGE\r\n\r\n", false),
            new("HTTP/2 preface over HTTP/1", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false),
            // Kestrel refuses an absolute-form target whose authority is not the Host header.
            new("absolute-form target", $"POST http://evil.example{path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nAuthorization: Bearer {HostileCorpus.ClientKey}\r\nContent-Length: 2\r\n\r\n{{}}", false),
            new("bare LF line endings", head.Replace("\r\n", "\n", StringComparison.Ordinal) + $"Content-Length: {body.Length}\n\n" + body, false, Lenient: true),
        ];
    }

    /// <summary>Sends the raw request and reads what comes back until the server closes or 5 s pass.</summary>
    public async Task<string> SendAsync(Uri root)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(root.Host, root.Port);
        var stream = socket.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        using var answer = new MemoryStream();
        try
        {
            // No half-close: a server that closes with unread bytes resets the connection, and a reset can
            // discard an answer not yet read. Read at once instead, until the server closes or goes quiet.
            await stream.WriteAsync(Encoding.Latin1.GetBytes(Raw), timeout.Token);
            var buffer = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // A reset after the answer (the server closes with unread bytes) or a server that waits for more:
            // what arrived before it is the answer.
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }
}
