using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Streaming;
using Microsoft.AspNetCore.Http;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>OpenAI Chat Completions as the client's format: its error envelope, <c>[DONE]</c>, <c>: keep-alive</c>.</summary>
internal sealed class OpenAIChatInbound : IInboundProtocol
{
    public static readonly OpenAIChatInbound Instance = new();

    private static readonly byte[] KeepAliveComment = ": keep-alive\n\n"u8.ToArray();

    private OpenAIChatInbound()
    {
    }

    public ReadOnlyMemory<byte> KeepAlive => KeepAliveComment;

    public Task WriteErrorAsync(HttpResponse response, GatewayError error) => OpenAIErrorEnvelope.WriteAsync(response, error);

    public void AppendStreamError(GatewayError error, List<SseFrame> frames)
    {
        frames.Add(OpenAIErrorEnvelope.Serialize(error));
        frames.Add(SseFrame.Done);
    }
}
