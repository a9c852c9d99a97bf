using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Routing;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

public sealed class AnthropicPassThroughCodecTests
{
    // Regression: a repeated key inside a message the pass-through rewrites threw (500); the last one wins.
    [Fact]
    public void UpstreamBody_DuplicatePropertyInARewrittenBlock_LastOneWins()
    {
        const string body = """{"model":"m","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"text","text":"a","text":"b"},{"type":"thinking","signature":"gw1~a12345678~S","type":"thinking"}]}]}""";
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, false, out var request, out _));
        var codec = new AnthropicPassThroughCodec(request!, AnthropicInboundGoldenTests.Target(ThinkingMode.Native, ProviderKind.Anthropic));

        var sent = Encoding.UTF8.GetString(codec.UpstreamBody(stream: false).Span);

        // The other provider's thinking block is dropped; the text block keeps its last "text".
        Assert.Contains("""{"role":"assistant","content":[{"type":"text","text":"b"}]}""", sent, StringComparison.Ordinal);
    }

    [Fact]
    public void UpstreamBody_UndecodableStringInARewrittenMessage_IsAClientErrorNamingIt()
    {
        const string body = """{"model":"m","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","signature":"gw1~a12345678~S"},{"type":"text","text":"\ud800"}]}]}""";
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, false, out var request, out _));
        var codec = new AnthropicPassThroughCodec(request!, AnthropicInboundGoldenTests.Target(ThinkingMode.Native, ProviderKind.Anthropic));

        Assert.Throws<InvalidOperationException>(() => codec.UpstreamBody(stream: false));
        var failure = UntranslatableRequest.TryWrite(codec, request!, stream: false, out _);

        Assert.Equal(FailureKind.ClientError, failure!.Kind);
        Assert.Equal(400, failure.Status);
        Assert.Equal("messages[1].content[1].text: the string is not valid Unicode (an escaped lone surrogate)", failure.ClientMessage);
    }

    [Fact]
    public void UpstreamBody_UntouchedRequest_KeepsEveryMembersBytesAndReplacesTheModel()
    {
        const string body = """{"model":"m","max_tokens":9,"x":[1 ,2],"messages":[{"role":"user", "content":"h\u00e9llo"}]}""";
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, false, out var request, out _));
        var codec = new AnthropicPassThroughCodec(request!, AnthropicInboundGoldenTests.Target(ThinkingMode.Native, ProviderKind.Anthropic));

        Assert.Equal(body.Replace("\"m\"", "\"upstream-model\"", StringComparison.Ordinal), Encoding.UTF8.GetString(codec.UpstreamBody(stream: false).Span));
    }
}
