using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Streaming;
using Microsoft.AspNetCore.Http;

namespace Gateway.Protocols.OpenAIResponses;

/// <summary>
/// OpenAI Responses as the client's format: OpenAI's error envelope, <c>response.failed</c> as a stream's
/// error, and an SSE comment as keep-alive (Responses clients skip comments).
/// </summary>
internal sealed class ResponsesInbound : IInboundProtocol
{
    public static readonly ResponsesInbound Instance = new();

    private static readonly byte[] KeepAliveComment = ": keep-alive\n\n"u8.ToArray();

    private ResponsesInbound()
    {
    }

    public ReadOnlyMemory<byte> KeepAlive => KeepAliveComment;

    public Task WriteErrorAsync(HttpResponse response, GatewayError error) => OpenAIErrorEnvelope.WriteAsync(response, error);

    public void AppendStreamError(GatewayError error, List<SseFrame> frames) =>
        frames.Add(ResponsesEncoder.FailedAlone(error, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
}
