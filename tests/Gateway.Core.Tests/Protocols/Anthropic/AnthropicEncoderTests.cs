using System.Globalization;
using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>Neutral updates as Anthropic Messages events, or as one message.</summary>
public sealed class AnthropicEncoderTests
{
    private static readonly ChatUpdate Start = new() { Kind = ChatUpdateKind.Start, ResponseId = "msg_1" };

    private const string MessageStart = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

        """;

    [Fact]
    public void Encode_Text_StartBlockDeltasStopAndTheEnd()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();

        encoder.Encode(
            [Start, ChatUpdate.UsageReport(new TokenUsage(5, 9, false) { CacheReadTokens = 2, CacheWriteTokens = 1 }), ChatUpdate.TextDelta("Hi"), ChatUpdate.TextDelta(string.Empty), ChatUpdate.TextDelta("x", choice: 1), new ChatUpdate { Kind = ChatUpdateKind.RefusalDelta, Text = " no" }],
            frames);
        Assert.False(encoder.AllChoicesFinished);
        encoder.Encode([ChatUpdate.Finished(FinishReason.Stop)], frames);
        Assert.True(encoder.AllChoicesFinished);
        Assert.Equal(FinishReason.Stop, encoder.Finish);
        encoder.Complete(frames, new TokenUsage(5, 3, false) { CacheReadTokens = 2 }, StreamErrors.Interrupted());

        Assert.Equal(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"cache_creation_input_tokens":1,"cache_read_input_tokens":2,"output_tokens":0}}}
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" no"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":0}
            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":2,"output_tokens":3}}
            event: message_stop
            data: {"type":"message_stop"}

            """,
            Transcript(frames));
    }

    [Fact]
    public void Encode_NothingButStartAndUsage_NoFrames()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();

        encoder.Encode([Start, ChatUpdate.UsageReport(new TokenUsage(1, 1, false)), ChatUpdate.TextDelta(string.Empty)], frames);

        Assert.Empty(frames);
    }

    [Fact]
    public void Complete_WithoutAFinish_AnErrorEventNeverAFakeStop()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();
        encoder.Encode([Start, ChatUpdate.TextDelta("Hi")], frames);
        frames.Clear();

        encoder.Complete(frames, default, StreamErrors.Interrupted("cut"));

        Assert.Equal("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"cut\"}}\n", Transcript(frames));
    }

    [Fact]
    public void Encode_ThinkingSignedThenText()
    {
        var encoder = new AnthropicEncoder("claude", Opaque.From("ORIGIN", ProviderKind.OpenAI, "p"));
        var frames = new List<SseFrame>();
        var signature = Opaque.From("SIG", ProviderKind.Anthropic, "p");

        encoder.Encode([Start, ChatUpdate.ReasoningDelta("a"), ChatUpdate.ReasoningDelta("b"), ChatUpdate.ReasoningSignature(signature), ChatUpdate.TextDelta("t"), ChatUpdate.Finished(FinishReason.Stop)], frames);

        Assert.Equal(
            MessageStart + $$$"""
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"a"}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"b"}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"{{{signature.Encode()}}}"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":0}
            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"t"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            """,
            Transcript(frames));
    }

    [Fact]
    public void Encode_UnsignedThinking_SignedWithTheOriginWhenClosed_OrLeftUnsignedWithoutOne()
    {
        var origin = Opaque.From("", ProviderKind.OpenAI, "p");
        var withOrigin = new List<SseFrame>();
        new AnthropicEncoder("claude", origin).Encode([Start, ChatUpdate.ReasoningDelta("a"), ChatUpdate.Finished(FinishReason.Stop)], withOrigin);
        var without = new List<SseFrame>();
        new AnthropicEncoder("claude", null).Encode([Start, ChatUpdate.ReasoningDelta("a"), ChatUpdate.Finished(FinishReason.Stop)], without);

        const string Thinking = """
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"a"}}

            """;
        const string Stop = """
            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            """;
        Assert.Equal(
            MessageStart + Thinking + """event: content_block_delta""" + "\n" + $$$"""data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"{{{origin.Encode()}}}"}}""" + "\n" + Stop,
            Transcript(withOrigin));
        Assert.Equal(MessageStart + Thinking + Stop, Transcript(without));
    }

    [Fact]
    public void Encode_SecondSignatureOrSignatureWithoutThinking_OpensANewThinkingBlock()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();
        var one = new Opaque("ONE", ProviderKind.Anthropic, null);
        var two = new Opaque("TWO", ProviderKind.Anthropic, null);

        encoder.Encode([Start, ChatUpdate.TextDelta("t"), ChatUpdate.ReasoningSignature(one), ChatUpdate.ReasoningSignature(two), ChatUpdate.ReasoningDelta("r")], frames);

        Assert.Equal(
            MessageStart + """
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"t"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":0}
            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":"","signature":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"gw1~a~ONE"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":1}
            event: content_block_start
            data: {"type":"content_block_start","index":2,"content_block":{"type":"thinking","thinking":"","signature":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"signature_delta","signature":"gw1~a~TWO"}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"thinking_delta","thinking":"r"}}

            """,
            Transcript(frames));
    }

    [Fact]
    public void Encode_RedactedThinking_ClosesTheOpenBlockAndIsABlockOfItsOwn()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();

        encoder.Encode([Start, ChatUpdate.TextDelta("t"), ChatUpdate.RedactedReasoning(new Opaque("R", ProviderKind.Anthropic, null)), ChatUpdate.TextDelta("u")], frames);

        Assert.Equal(
            MessageStart + """
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"t"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":0}
            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"gw1~a~R"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":1}
            event: content_block_start
            data: {"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"u"}}

            """,
            Transcript(frames));
    }

    [Fact]
    public void Encode_TextInsideAnIncompleteCall_WaitsForItsArguments()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();

        encoder.Encode([Start, ChatUpdate.ToolCallStart(0, "call_1", "f"), ChatUpdate.ToolArguments(0, "{\"a\""), ChatUpdate.TextDelta("x"), ChatUpdate.ToolArguments(0, ":1}"), ChatUpdate.ToolArguments(0, " "), ChatUpdate.ToolArguments(1, "{}"), ChatUpdate.ToolArguments(-1, "{}")], frames);
        encoder.Encode([ChatUpdate.Finished(FinishReason.Stop)], frames);

        Assert.Equal(FinishReason.ToolCalls, encoder.Finish);
        Assert.Equal(
            MessageStart + """
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_1","name":"f","input":{},"caller":{"type":"direct"}}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":":1}"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":0}
            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}
            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"x"}}
            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            """,
            Transcript(frames));
    }

    [Fact]
    public void Encode_CallWithoutArguments_InputIsAnEmptyObject()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();

        encoder.Encode([Start, new ChatUpdate { Kind = ChatUpdateKind.ToolCallStart, ToolIndex = 0, ToolId = "c", ToolName = "f", Text = string.Empty }, ChatUpdate.Finished(FinishReason.ToolCalls)], frames);

        Assert.Equal(
            MessageStart + ToolBlock(0, "c", "f", """{}"""),
            Transcript(frames));
    }

    [Fact]
    public void Encode_InterleavedCalls_OneAfterAnother_ArgumentsAnnouncedWithTheStartKept()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();

        encoder.Encode(
            [
                Start,
                ChatUpdate.ToolCallStart(0, "a", "f"),
                ChatUpdate.ToolCallStart(1, "b", "g"),
                new ChatUpdate { Kind = ChatUpdateKind.ToolCallStart, ToolIndex = 2, ToolId = "c", ToolName = "h", Text = "{\"z\":" },
                ChatUpdate.ToolArguments(1, "{\"y\":2}"),
                ChatUpdate.ToolArguments(0, "{}"),
                ChatUpdate.ToolArguments(2, "3}"),
                ChatUpdate.Finished(FinishReason.ToolCalls),
            ],
            frames);

        Assert.Equal(
            MessageStart + ToolBlock(0, "a", "f", """{}""") + ToolBlock(1, "b", "g", """{\"y\":2}""") + ToolBlock(2, "c", "h", """{\"z\":3}"""),
            Transcript(frames));
    }

    [Fact]
    public void Encode_FinishWithCallsStillQueued_EachOpenedAndClosed()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();

        encoder.Encode([Start, ChatUpdate.ToolCallStart(0, "a", "f"), ChatUpdate.ToolCallStart(1, "b", "g"), ChatUpdate.Finished(FinishReason.Length)], frames);

        Assert.Equal(FinishReason.Length, encoder.Finish);
        Assert.Equal(
            MessageStart + ToolBlock(0, "a", "f", """{}""") + ToolBlock(1, "b", "g", """{}"""),
            Transcript(frames));
    }

    [Fact]
    public void Encode_ResponseIdThatIsNotAMessageId_AGeneratedOne()
    {
        var encoder = new AnthropicEncoder("claude", null);
        var frames = new List<SseFrame>();

        encoder.Encode([new ChatUpdate { Kind = ChatUpdateKind.Start, ResponseId = "chatcmpl-1" }, new ChatUpdate { Kind = ChatUpdateKind.Start, ResponseId = "msg_2" }, ChatUpdate.TextDelta("t")], frames);

        Assert.Matches("^\\{\"type\":\"message_start\",\"message\":\\{\"id\":\"msg_[0-9a-f]{24}\",", Encoding.UTF8.GetString(frames[0].Data.Span));
    }

    [Theory]
    [InlineData("length", "max_tokens")]
    [InlineData("tool_calls", "tool_use")]
    [InlineData("function_call", "tool_use")]
    [InlineData("content_filter", "refusal")]
    [InlineData("pause_turn", "pause_turn")]
    [InlineData("stop", "end_turn")]
    [InlineData("other", "end_turn")]
    public void StopReason_InAnthropicsWords(string finish, string expected)
    {
        Assert.Equal(expected, AnthropicEncoder.StopReason(new FinishReason(finish)));
    }

    [Fact]
    public void EncodeWhole_EveryBlockKind()
    {
        var origin = Opaque.From("O", ProviderKind.OpenAI, "p");
        var encoder = new AnthropicEncoder("claude", origin);

        var whole = encoder.EncodeWhole(
            [
                Start,
                ChatUpdate.TextDelta("a", choice: 1),
                ChatUpdate.ReasoningDelta("r1"),
                ChatUpdate.ReasoningDelta(string.Empty),
                ChatUpdate.ReasoningDelta("r2"),
                ChatUpdate.ReasoningSignature(new Opaque("S", ProviderKind.Anthropic, null)),
                ChatUpdate.ReasoningDelta("r3"),
                ChatUpdate.TextDelta("t1"),
                ChatUpdate.TextDelta(string.Empty),
                new ChatUpdate { Kind = ChatUpdateKind.RefusalDelta, Text = "t2" },
                ChatUpdate.RedactedReasoning(new Opaque("R", ProviderKind.Anthropic, null)),
                ChatUpdate.TextDelta("t3"),
                ChatUpdate.ReasoningSignature(new Opaque("S2", ProviderKind.Anthropic, null)),
                new ChatUpdate { Kind = ChatUpdateKind.ToolCallStart, ToolIndex = 0, ToolId = "c0", ToolName = "f", Text = "{\"a\":" },
                ChatUpdate.ToolCallStart(1, "c1", "g"),
                ChatUpdate.ToolArguments(0, "1}"),
                ChatUpdate.ToolArguments(7, "x"),
                ChatUpdate.Finished(FinishReason.Stop),
            ],
            new TokenUsage(3, 4, false));

        Assert.Equal(FinishReason.ToolCalls, encoder.Finish);
        Assert.Equal(
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":["
            + "{\"type\":\"thinking\",\"thinking\":\"r1r2\",\"signature\":\"gw1~a~S\"},"
            + "{\"type\":\"thinking\",\"thinking\":\"r3\",\"signature\":\"" + origin.Encode() + "\"},"
            + "{\"type\":\"text\",\"text\":\"t1t2\"},"
            + "{\"type\":\"redacted_thinking\",\"data\":\"gw1~a~R\"},"
            + "{\"type\":\"text\",\"text\":\"t3\"},"
            + "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"gw1~a~S2\"},"
            + "{\"type\":\"tool_use\",\"id\":\"c0\",\"name\":\"f\",\"input\":{\"a\":1},\"caller\":{\"type\":\"direct\"}},"
            + "{\"type\":\"tool_use\",\"id\":\"c1\",\"name\":\"g\",\"input\":{},\"caller\":{\"type\":\"direct\"}}],"
            + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":4}}",
            Encoding.UTF8.GetString(whole.Span));
    }

    [Fact]
    public void EncodeWhole_UnsignedThinkingWithoutAnOrigin_EmptySignature_NoFinishIsEndTurn()
    {
        var encoder = new AnthropicEncoder("claude", null);

        var whole = encoder.EncodeWhole([Start, ChatUpdate.ReasoningDelta("r")], default);

        Assert.Equal(FinishReason.Stop, encoder.Finish);
        Assert.Equal(
            """{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"thinking","thinking":"r","signature":""}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}""",
            Encoding.UTF8.GetString(whole.Span));
    }

    // One tool_use block as the encoder writes it, whole: start, one input_json_delta (its text already JSON-escaped), stop.
    private static string ToolBlock(int index, string id, string name, string partialJson) => """
        event: content_block_start
        data: {"type":"content_block_start","index":@index,"content_block":{"type":"tool_use","id":"@id","name":"@name","input":{},"caller":{"type":"direct"}}}
        event: content_block_delta
        data: {"type":"content_block_delta","index":@index,"delta":{"type":"input_json_delta","partial_json":"@json"}}
        event: content_block_stop
        data: {"type":"content_block_stop","index":@index}

        """.Replace("@index", index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("@id", id, StringComparison.Ordinal)
        .Replace("@name", name, StringComparison.Ordinal).Replace("@json", partialJson, StringComparison.Ordinal);

    private static string Transcript(List<SseFrame> frames)
    {
        var text = new StringBuilder();
        foreach (var frame in frames)
        {
            text.Append("event: ").Append(Encoding.UTF8.GetString(frame.EventName!)).Append('\n');
            text.Append("data: ").Append(Encoding.UTF8.GetString(frame.Data.Span)).Append('\n');
        }

        return text.ToString();
    }
}
