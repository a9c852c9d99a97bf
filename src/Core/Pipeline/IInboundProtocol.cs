using Gateway.Chat;
using Gateway.Streaming;
using Microsoft.AspNetCore.Http;

namespace Gateway.Pipeline;

/// <summary>
/// What the client's wire format decides for a whole request, whatever the upstream: the error
/// envelope (before the response started, and as a stream's last event) and the keep-alive frame.
/// </summary>
internal interface IInboundProtocol
{
    /// <summary>Answers with <paramref name="error"/> as the whole response (only before the response started).</summary>
    Task WriteErrorAsync(HttpResponse response, GatewayError error);

    /// <summary>
    /// Ends a committed stream that has no upstream answer (every attempt failed after the SSE headers
    /// went out during a long holdback): the error event and the format's terminal frames.
    /// </summary>
    void AppendStreamError(GatewayError error, List<SseFrame> frames);

    /// <summary>The bytes of one keep-alive frame, written while the upstream is silent.</summary>
    ReadOnlyMemory<byte> KeepAlive { get; }
}
