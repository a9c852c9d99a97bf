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
    // Regression: only the event up to its "type" was read, so a cut-off delta went to the client as it was.
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel""")]
    [InlineData("ping", """{"type":"ping"}{"type":"ping"}""")]
    [InlineData("content_block_stop", """{"type":"content_block_stop","index":0""")]
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

    // Regression: a message cut off after its "type" (with nothing to tag) went to the client as it was.
    [Theory]
    [InlineData("""{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Hel""")]
    [InlineData("""{"id":"msg_1","type":"message","content":[],"stop_reason":"end_turn"} {}""")]
    public void TryAnswerWhole_NotOneWholeMessage_IsNoAnswer(string body)
    {
        var codec = Codec("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.False(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(body), out _));
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

    private const string Hi = """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""";

    private static string Sent(string body, bool stream, bool countTokens = false, ThinkingMode thinking = ThinkingMode.Native, int defaultMaxTokens = 4096)
    {
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, countTokens, out var request, out var error), error?.Message);
        var target = new RouteTarget(new Gateway.Providers.Provider("p", new ProviderOptions { Kind = ProviderKind.Anthropic, BaseUrl = "http://upstream.test/v1", Thinking = thinking, DefaultMaxTokens = defaultMaxTokens }), "up", 1, null);
        return Encoding.UTF8.GetString(AnthropicPassThroughCodec.Body(request!, target, stream, countTokens).Span);
    }

    [Theory]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[]}""", false, """{"model":"up","max_tokens":5,"messages":[]}""")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[]}""", true, """{"model":"up","max_tokens":5,"messages":[],"stream":true}""")]
    [InlineData("""{"model":"m","stream":true,"max_tokens":5,"messages":[]}""", true, """{"model":"up","stream":true,"max_tokens":5,"messages":[]}""")]
    [InlineData("""{"model":"m","stream":false,"max_tokens":5,"messages":[]}""", true, """{"model":"up","stream":true,"max_tokens":5,"messages":[]}""")]
    [InlineData("""{"model":"m","stream":false,"max_tokens":5,"messages":[]}""", false, """{"model":"up","stream":false,"max_tokens":5,"messages":[]}""")]
    [InlineData("""{"model":"m","messages":[]}""", false, """{"model":"up","messages":[],"max_tokens":321}""")]
    [InlineData("""{"model":"m","messages":[]}""", true, """{"model":"up","messages":[],"stream":true,"max_tokens":321}""")]
    public void Body_StreamFlagAndMissingMaxTokensFilledIn(string body, bool stream, string expected)
    {
        Assert.Equal(expected, Sent(body.Replace("[]", """[{"role":"user","content":"q"}]""", StringComparison.Ordinal), stream, defaultMaxTokens: 321).Replace("""[{"role":"user","content":"q"}]""", "[]", StringComparison.Ordinal));
    }

    [Fact]
    public void Body_CountTokens_NoStreamNoMaxTokens()
    {
        Assert.Equal("""{"model":"up","messages":[{"role":"user","content":"q"}]}""", Sent("""{"model":"m","messages":[{"role":"user","content":"q"}]}""", stream: true, countTokens: true));
    }

    [Fact]
    public void Body_CountTokens_ThinkingOffStillDropsThinking()
    {
        Assert.Equal(
            """{"model":"up","messages":[{"role":"user","content":"q"}]}""",
            Sent("""{"model":"m","thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"q"}]}""", stream: false, countTokens: true, thinking: ThinkingMode.Off));
    }

    [Theory]
    [InlineData(""","output_config":{"effort":"high","format":{"type":"json_schema","schema":{}}}""", ""","output_config":{"format":{"type":"json_schema","schema":{}}}""")]
    [InlineData(""","output_config":{"format":{"type":"json_schema","schema":{}}}""", ""","output_config":{"format":{"type":"json_schema","schema":{}}}""")]
    [InlineData(""","output_config":{"effort":"high"}""", "")]
    [InlineData(""","output_config":null""", ""","output_config":null""")]
    [InlineData(""","output_config":{ }""", ""","output_config":{ }""")]
    [InlineData("", "")]
    public void Body_ThinkingOff_RemovesThinkingAndOnlyTheEffortOfOutputConfig(string config, string expected)
    {
        Assert.Equal(
            """{"model":"up","max_tokens":5,"messages":[{"role":"user","content":"q"}]""" + expected + "}",
            Sent("""{"model":"m","max_tokens":5,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"q"}]""" + config + "}", stream: false, thinking: ThinkingMode.Off));
    }

    [Theory]
    [InlineData(ThinkingMode.Native)]
    [InlineData(ThinkingMode.Passthrough)]
    public void Body_ThinkingOn_KeepsThinkingAndEffort(ThinkingMode thinking)
    {
        const string body = """{"model":"m","max_tokens":5,"thinking":{"type":"adaptive"},"output_config":{"effort":"high"},"messages":[{"role":"user","content":"q"}]}""";

        Assert.Equal(body.Replace("\"m\"", "\"up\"", StringComparison.Ordinal), Sent(body, stream: false, thinking: thinking));
    }

    [Fact]
    public void Body_ThinkingOffWithoutThinkingMembers_Unchanged()
    {
        Assert.Equal("""{"model":"up","max_tokens":5,"messages":[{"role":"user","content":"q"}]}""", Sent("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"q"}]}""", stream: false, thinking: ThinkingMode.Off));
    }

    [Fact]
    public void Body_OwnTaggedSignatureUntagged_ForeignBlockDropped_ThinkingKeptWithoutAToolCall()
    {
        var own = "gw1~a" + Opaque.ProviderHash("p") + "~SIG";
        var sent = Sent($$"""{"model":"m","max_tokens":5,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"{{own}}"},{"type":"redacted_thinking","data":"gw1~a0000~R"},{"type":"text","text":"a"}]}]}""", stream: false);

        Assert.Equal("""{"model":"up","max_tokens":5,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"SIG"},{"type":"text","text":"a"}]}]}""", sent);
    }

    private static string Frames(List<SseFrame> frames)
    {
        var text = new StringBuilder();
        foreach (var frame in frames)
        {
            text.Append("event: ").Append(frame.EventName is { } name ? Encoding.UTF8.GetString(name) : "<none>").Append('\n');
            text.Append("data: ").Append(Encoding.UTF8.GetString(frame.Data.Span)).Append('\n');
        }

        frames.Clear();
        return text.ToString();
    }

    [Fact]
    public void OnUpstreamEvent_ForwardsEveryEventUnderItsName_StepsAndUsage()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Preamble, Step(codec, "message_start", """{"type":"message_start","message":{"id":"msg_1","content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":3,"output_tokens":1}}}""", frames));
        Assert.Equal(StreamStep.Preamble, Step(codec, "ping", """{"type": "ping"}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_stop", """{"type":"content_block_stop","index":0}""", frames));
        Assert.Null(codec.Finish);
        Assert.Equal(StreamStep.Content, Step(codec, "message_delta", """{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":7}}""", frames));
        Assert.Equal(FinishReason.Length, codec.Finish);
        Assert.Equal(StreamStep.Content, Step(codec, "message_stop", """{"type":"message_stop"}""", frames));

        Assert.Equal(new TokenUsage(10, 7, false) { CacheReadTokens = 3 }, codec.Usage);
        Assert.Equal(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":3,"output_tokens":1}}}
            event: ping
            data: {"type": "ping"}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":0}
            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":7}}
            event: message_stop
            data: {"type":"message_stop"}

            """,
            Frames(frames));
        Assert.Equal(StreamEnd.Completed, codec.OnUpstreamEnd(frames, null));
        Assert.Empty(frames);
    }

    [Fact]
    public void OnUpstreamEvent_TypeComesFromTheData_TheEventLineOnlyWhenTheDataHasNone()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Content, Step(codec, "ping", """{"index":0,"type":"content_block_stop"}""", frames));
        Assert.Equal(StreamStep.Preamble, Step(codec, "ping", """{"type":5,"x":{"type":"message_stop"}}""", frames));
        Assert.Equal(StreamStep.Preamble, Step(codec, "some_new_event", """{"n":1}""", frames));

        Assert.Equal(
            """
            event: content_block_stop
            data: {"index":0,"type":"content_block_stop"}
            event: ping
            data: {"type":5,"x":{"type":"message_stop"}}
            event: some_new_event
            data: {"n":1}

            """,
            Frames(frames));
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"message_stop\"")]
    [InlineData("")]
    [InlineData("{\"type\":\"\"}")]
    [InlineData("{\"type\":\"Message_stop\"}")]
    [InlineData("{\"type\":\"a-b\"}")]
    [InlineData("{\"type\":\"a b\"}")]
    [InlineData("{\"type\":\"x{}\"}")]
    [InlineData("{\"type\":\"a1234567890123456789012345678901234567890123456789012345678901234\"}")]
    public void OnUpstreamEvent_NotAnObjectOrNotAPlainName_IsMalformed(string data)
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Malformed, Step(codec, "message_stop", data, frames));
        Assert.Empty(frames);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("z_09")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void OnUpstreamEvent_PlainNameUpTo64Characters_PassesUnderItsName(string type)
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Preamble, Step(codec, "x", "{\"type\":\"" + type + "\"}", frames));
        Assert.Equal("event: " + type + "\ndata: {\"type\":\"" + type + "\"}\n", Frames(frames));
    }

    [Fact]
    public void OnUpstreamEvent_ErrorEvent_ForwardedAsSent_EndAddsNothing()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();
        const string error = """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""";

        Assert.Equal(StreamStep.UpstreamError, Step(codec, "error", error, frames));
        Assert.Equal("event: error\ndata: " + error + "\n", Frames(frames));
        Assert.Equal(StreamEnd.Interrupted, codec.OnUpstreamEnd(frames, StreamErrors.Interrupted("cut")));
        Assert.Empty(frames);
    }

    [Fact]
    public void OnUpstreamEvent_ErrorAfterTheStopReason_EndIsInterruptedWithoutAMessageStop()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();

        Step(codec, "message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"}}""", frames);
        Step(codec, "error", """{"type":"error","error":{"type":"api_error","message":"x"}}""", frames);
        frames.Clear();

        Assert.Equal(StreamEnd.Interrupted, codec.OnUpstreamEnd(frames, null));
        Assert.Empty(frames);
    }

    [Fact]
    public void OnUpstreamEnd_StopReasonSeenButNoMessageStop_AddsItAndCompletes()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();
        Step(codec, "message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":2}}""", frames);
        frames.Clear();

        Assert.Equal(StreamEnd.Completed, codec.OnUpstreamEnd(frames, null));
        Assert.Equal(FinishReason.ToolCalls, codec.Finish);
        Assert.Equal("event: message_stop\ndata: {\"type\":\"message_stop\"}\n", Frames(frames));
    }

    [Fact]
    public void OnUpstreamEnd_CutOffBeforeTheStopReason_SendsTheInterruptionAsAnErrorEvent()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();
        Step(codec, "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}""", frames);
        frames.Clear();

        Assert.Equal(StreamEnd.Interrupted, codec.OnUpstreamEnd(frames, new GatewayError(504, "timeout", "upstream_timeout", "Too slow.") { EndReason = "timeout" }));
        Assert.Equal("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Too slow.\"}}\n", Frames(frames));

        var other = Codec(Hi);
        Assert.Equal(StreamEnd.Interrupted, other.OnUpstreamEnd(frames, null));
        Assert.Equal("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"The upstream ended the stream before it finished.\"}}\n", Frames(frames));
    }

    [Fact]
    public void OnUpstreamEvent_SignaturesTaggedInStartsAndDeltas()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();
        var p = Opaque.ProviderHash("p");

        Assert.Equal(StreamStep.Preamble, Step(codec, "content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":"S0"}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"S1"}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"D"}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","signature":"S2"}}""", frames));

        Assert.Equal(
            $$$"""
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":"gw1~a{{{p}}}~S0"}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"gw1~a{{{p}}}~S1"}}
            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"gw1~a{{{p}}}~D"}}
            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","signature":"S2"}}

            """,
            Frames(frames));
    }

    [Fact]
    public void OnUpstreamEvent_StartWithTheBlockBeforeOtherMembers_IsReadAsEmptyOrNot()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Preamble, Step(codec, "content_block_start", """{"content_block":{"text":"","type":"text","citations":[{"a":1}]},"index":0,"type":"content_block_start"}""", frames));
        Assert.Equal(StreamStep.Preamble, Step(codec, "content_block_start", """{"type":"content_block_start","extra":{"content_block":{"type":"tool_use"}},"content_block":{"type":"thinking","thinking":null}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_start", """{"type":"content_block_start","content_block":{"type":"thinking","thinking":"x"}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_start", """{"type":"content_block_start","content_block":{"type":"server_tool_use","text":""}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_start", """{"type":"content_block_start","content_block":{"type":5,"text":""}}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_start", """{"type":"content_block_start","index":0}""", frames));
        Assert.Equal(StreamStep.Content, Step(codec, "content_block_start", """{"type":"content_block_start","content_block":{"type":"text","text":"","thinking":"y"}}""", frames));
    }

    [Fact]
    public void TryAnswerWhole_MessageWithoutSignatures_SameBytesAndItsUsageAndStopReason()
    {
        var codec = Codec(Hi);
        const string message = """{"id":"msg_1","type":"message","content":[{"type":"tool_use","id":"t","name":"f","input":{"usage":{"input_tokens":99},"stop_reason":"refusal"}}],"stop_reason":"end_turn","usage":{"input_tokens":4,"output_tokens":6,"cache_creation_input_tokens":2}}""";

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(message), out var answer));

        Assert.Equal(message, Encoding.UTF8.GetString(answer.Span));
        Assert.Equal(new TokenUsage(4, 6, false) { CacheWriteTokens = 2 }, codec.Usage);
        Assert.Equal(FinishReason.Stop, codec.Finish);
    }

    [Fact]
    public void TryAnswerWhole_RedactedBlockTagged()
    {
        var codec = Codec(Hi);

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes("""{"type":"message","content":[{"type":"redacted_thinking","data":"D"}]}"""), out var answer));

        Assert.Equal("""{"type":"message","content":[{"type":"redacted_thinking","data":"gw1~a""" + Opaque.ProviderHash("p") + """~D"}]}""", Encoding.UTF8.GetString(answer.Span));
    }

    // A stray top-level "message" that is not an object is an unknown member, not a reason to refuse the answer.
    [Fact]
    public void TryAnswerWhole_StrayMessageMemberNotAnObject_StillTagsTheContent()
    {
        var codec = Codec(Hi);

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes("""{"type":"message","message":"x","content":[{"type":"thinking","signature":"S"}]}"""), out var answer));

        Assert.Equal("""{"type":"message","message":"x","content":[{"type":"thinking","signature":"gw1~a""" + Opaque.ProviderHash("p") + """~S"}]}""", Encoding.UTF8.GetString(answer.Span));
    }

    [Theory]
    [InlineData("""{"type":"error","error":{"type":"api_error","message":"x"}}""")]
    [InlineData("""{"content":[]}""")]
    [InlineData("""[{"type":"message"}]""")]
    [InlineData("""{"type":"message","content":[{"type":"thinking","signature":"\ud800"}]}""")]
    public void TryAnswerWhole_NotAMessage_False(string body)
    {
        var codec = Codec(Hi);

        Assert.False(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(body), out _));
    }

    [Fact]
    public void EventsOfWhole_AWholeMessageBecomesItsEvents()
    {
        var codec = Codec(Hi);

        var events = codec.EventsOfWhole("""{"id":"msg_1","type":"message","role":"assistant","model":"x","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}}"""u8);

        Assert.NotNull(events);
        Assert.Equal(
            """
            message_start {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}
            content_block_start {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
            content_block_delta {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}
            content_block_stop {"type":"content_block_stop","index":0}
            message_delta {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}}
            message_stop {"type":"message_stop"}
            """,
            string.Join("\n", events.Select(e => e.EventType + " " + Encoding.UTF8.GetString(e.Data.Span))));
    }

    [Fact]
    public void EventsOfWhole_NotAMessage_Null()
    {
        Assert.Null(Codec(Hi).EventsOfWhole("""{"type":"error"}"""u8));
    }

    [Fact]
    public void FailureOf_ClassifiesTheUpstreamError()
    {
        var failure = Codec(Hi).FailureOf("""{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"""u8, 200, "error event");

        Assert.Equal((FailureKind.RetryableStatus, (int?)200, "error event (rate_limit_error)"), (failure.Kind, failure.Status, failure.Detail));
    }

    [Fact]
    public void OnUpstreamEvent_UsageAndStopReasonReadOnlyAtTheirOwnLevel()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();

        Step(codec, "message_start", """{"type":"message_start","other":{"message":{"usage":{"input_tokens":50}}},"message":{"content":[{"usage":{"input_tokens":99},"stop_reason":"refusal"}],"stop_reason":null,"usage":{"input_tokens":4,"output_tokens":1}}}""", frames);
        Assert.Equal(new TokenUsage(4, 1, false), codec.Usage);
        Assert.Null(codec.Finish);

        Step(codec, "message_delta", """{"type":"message_delta","delta":{"x":{"stop_reason":"refusal"},"stop_reason":"max_tokens","y":[1]},"usage":{"output_tokens":6},"z":{"usage":{"output_tokens":70}}}""", frames);
        Assert.Equal(new TokenUsage(4, 6, false), codec.Usage);
        Assert.Equal(FinishReason.Length, codec.Finish);

        Step(codec, "message_delta", """{"type":"message_delta","delta":{"stop_reason":null},"stop_reason":"end_turn"}""", frames);
        Assert.Equal(FinishReason.Stop, codec.Finish);
    }

    [Fact]
    public void OnUpstreamEvent_MessageStartWithoutAMessageObject_NoUsage()
    {
        var codec = Codec(Hi);
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Preamble, Step(codec, "message_start", """{"type":"message_start","message":"x","usage":{"input_tokens":3}}""", frames));
        Assert.Null(codec.Usage);
        Assert.Single(frames);
    }
}
