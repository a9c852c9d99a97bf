using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Routing;
using Gateway.Streaming;
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

    private static AnthropicPassThroughCodec Codec(string body, ThinkingMode thinking = ThinkingMode.Native)
    {
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, false, out var request, out var error), error?.Message);
        return new AnthropicPassThroughCodec(request!, AnthropicInboundGoldenTests.Target(thinking, ProviderKind.Anthropic));
    }

    private static StreamStep Step(AnthropicPassThroughCodec codec, string name, string data, List<SseFrame> frames) =>
        CodecGuard.OnUpstreamEvent(codec, new SseEvent(name, Encoding.UTF8.GetBytes(data)), frames);

    // Regression: usage read outside the codec's own guard threw on a cut-off event (a 500 before content,
    // a connection dropped without an error event after it).
    [Theory]
    [InlineData("message_start", """{"type":"message_start","message":{"usage":{"input_tokens":5}""")]
    [InlineData("message_delta", """{"type":"message_delta","usage":{"output_tokens":""")]
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"\ud800"}}""")]
    public void OnUpstreamEvent_CutOffOrUndecodableEvent_IsMalformedAndSendsNothing(string name, string data)
    {
        var codec = Codec("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Malformed, Step(codec, name, data, frames));
        Assert.Empty(frames);
    }

    // Regression: the upstream's "type" became the event: line as it was; a line break in it forged SSE lines.
    [Fact]
    public void OnUpstreamEvent_TypeThatIsNotAPlainName_IsMalformed()
    {
        var codec = Codec("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Malformed, Step(codec, "x", """{"type":"x\ndata: {}\n\nevent: message_stop"}""", frames));
        Assert.Equal(StreamStep.Preamble, Step(codec, "future_event", """{"type":"future_event"}""", frames));
    }

    // An empty text block says nothing yet: holding it back keeps failover possible until the first token.
    [Fact]
    public void OnUpstreamEvent_EmptyTextBlockStartIsPreamble_ToolUseStartIsContent()
    {
        var codec = Codec("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Preamble, Step(codec, "content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""", frames));
        Assert.Equal(StreamStep.Preamble, Step(codec, "content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_start", """{"type":"content_block_start","index":2,"content_block":{"type":"text","text":"Hi"}}""", frames));
    }

    // Regression: tagging walked the whole message, so objects inside a tool's input that looked like
    // thinking blocks had their "signature" rewritten — the client's data corrupted.
    [Fact]
    public void TryAnswerWhole_TagsThinkingBlocksButNeverToolInput()
    {
        var codec = Codec("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        const string message = """{"id":"msg_1","type":"message","role":"assistant","model":"x","content":[{"type":"thinking","thinking":"t","signature":"SIG"},{"type":"tool_use","id":"toolu_1","name":"f","input":{"blocks":[{"type":"thinking","signature":"user-data"}]}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}""";

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(message), out var answer));

        var text = Encoding.UTF8.GetString(answer.Span);
        Assert.Contains("\"signature\":\"gw1~a", text, StringComparison.Ordinal);
        Assert.Contains("\"signature\":\"user-data\"", text, StringComparison.Ordinal);
    }

    // Regression: another provider's thinking was removed from a tool turn while thinking stayed on, which
    // Anthropic refuses ("a final assistant message must start with a thinking block").
    [Fact]
    public void UpstreamBody_ToolTurnThatLostItsThinking_GoesWithoutThinking()
    {
        var codec = Codec("""
            {"model":"m","max_tokens":5,"thinking":{"type":"adaptive"},"output_config":{"effort":"high","format":{"type":"json_schema","schema":{}}},"messages":[
              {"role":"user","content":"go"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"gw1~o1234abcd~"},{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]}
            """);

        var sent = System.Text.Json.Nodes.JsonNode.Parse(codec.UpstreamBody(stream: true).Span)!;

        Assert.Null(sent["thinking"]);
        Assert.Equal("""{"format":{"type":"json_schema","schema":{}}}""", sent["output_config"]!.ToJsonString());
        Assert.Equal("tool_use", sent["messages"]![1]!["content"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void UpstreamBody_ThinkingOff_DropsThinkingAndEffortOnly()
    {
        var codec = Codec("""{"model":"m","max_tokens":5,"thinking":{"type":"adaptive"},"output_config":{"effort":"high"},"metadata":{"user_id":"u"},"messages":[{"role":"user","content":"hi"}]}""", ThinkingMode.Off);

        var sent = System.Text.Json.Nodes.JsonNode.Parse(codec.UpstreamBody(stream: false).Span)!.AsObject();

        Assert.False(sent.ContainsKey("thinking"));
        Assert.False(sent.ContainsKey("output_config"));
        Assert.Equal("u", sent["metadata"]!["user_id"]!.GetValue<string>());
    }

    [Fact]
    public void UpstreamBody_OwnThinkingKept_ThinkingStaysOn()
    {
        var own = "gw1~a" + Opaque.ProviderHash("p") + "~SIG";
        var codec = Codec($$$"""
            {"model":"m","max_tokens":5,"thinking":{"type":"adaptive"},"messages":[
              {"role":"user","content":"go"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"{{{own}}}"},{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]}
            """);

        var sent = System.Text.Json.Nodes.JsonNode.Parse(codec.UpstreamBody(stream: true).Span)!;

        Assert.Equal("adaptive", sent["thinking"]!["type"]!.GetValue<string>());
        Assert.Equal("SIG", sent["messages"]![1]!["content"]![0]!["signature"]!.GetValue<string>());
    }
}
