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
    [Fact]
    public void UpstreamBody_DuplicatePropertyInARewrittenBlock_IsAClientErrorNotAnException()
    {
        const string body = """{"model":"m","messages":[{"role":"assistant","content":[{"type":"thinking","signature":"gw1~a12345678~S","type":"thinking"}]}]}""";
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, false, out var request, out _));
        var codec = new AnthropicPassThroughCodec(request!, AnthropicInboundGoldenTests.Target(ThinkingMode.Native, ProviderKind.Anthropic));

        Assert.ThrowsAny<ArgumentException>(() => codec.UpstreamBody(stream: false));
        var failure = UntranslatableRequest.TryWrite(codec, stream: false, out _);

        Assert.Equal(FailureKind.ClientError, failure!.Kind);
        Assert.Equal(400, failure.Status);
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
