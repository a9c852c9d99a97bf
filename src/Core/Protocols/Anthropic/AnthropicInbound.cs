using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Streaming;
using Microsoft.AspNetCore.Http;

namespace Gateway.Protocols.Anthropic;

/// <summary>Anthropic Messages as the client's format: its error envelope, <c>event: error</c>, and <c>ping</c> events as keep-alive.</summary>
internal sealed class AnthropicInbound : IInboundProtocol
{
    public static readonly AnthropicInbound Instance = new();

    private static readonly byte[] Ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray();

    private AnthropicInbound()
    {
    }

    public ReadOnlyMemory<byte> KeepAlive => Ping;

    public Task WriteErrorAsync(HttpResponse response, GatewayError error) => AnthropicErrorEnvelope.WriteAsync(response, error);

    public void AppendStreamError(GatewayError error, List<SseFrame> frames) => frames.Add(new SseFrame(AnthropicErrorEnvelope.Serialize(error), AnthropicErrorEnvelope.EventName));
}
