using System.Text;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>Anthropic Messages as the client's format: keep-alive pings and the stream's error event.</summary>
public sealed class AnthropicInboundTests
{
    [Fact]
    public void KeepAlive_IsAPingEvent()
    {
        Assert.Equal("event: ping\ndata: {\"type\": \"ping\"}\n\n", Encoding.UTF8.GetString(AnthropicInbound.Instance.KeepAlive.Span));
    }

    [Fact]
    public void AppendStreamError_AddsAnErrorEventInAnthropicsEnvelope()
    {
        var frames = new List<SseFrame> { new("x"u8.ToArray(), null) };

        AnthropicInbound.Instance.AppendStreamError(new GatewayError(429, "rate_limit", "rate_limited", "Slow down.") { EndReason = "rate_limited" }, frames);

        Assert.Equal(2, frames.Count);
        Assert.Equal("error", Encoding.UTF8.GetString(frames[1].EventName!));
        Assert.Equal("""{"type":"error","error":{"type":"rate_limit_error","message":"Slow down."}}""", Encoding.UTF8.GetString(frames[1].Data.Span));
    }
}
