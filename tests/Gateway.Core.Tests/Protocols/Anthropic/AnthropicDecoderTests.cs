using System.Net;
using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

public sealed class AnthropicDecoderTests
{
    // Regression: a message that is not valid Unicode threw out of FailureOf (a 500 instead of a failover).
    [Fact]
    public void FailureOf_UndecodableMessage_IsClassifiedByItsType()
    {
        var failure = new AnthropicDecoder("p").FailureOf(Encoding.UTF8.GetBytes("""{"type":"error","error":{"type":"overloaded_error","message":"\ud800"}}"""), 200, "error event");

        Assert.Equal(FailureKind.RetryableStatus, failure.Kind);
    }

    // Regression: 529 was retryable like 503 but its Retry-After was ignored, so the target got no cooldown.
    [Fact]
    public void Overloaded529_RetryAfterPutsTheTargetOnCooldown()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)529);
        response.Headers.TryAddWithoutValidation("Retry-After", "7");
        var provider = new Provider("p", new ProviderOptions { Kind = ProviderKind.Anthropic, BaseUrl = "http://upstream.test/v1" });

        var failure = FailureClassifier.FromStatus(provider, response.StatusCode, response.Headers, "Overloaded");

        Assert.Equal(FailureKind.RetryableStatus, failure.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
    }

    private static readonly string P = Opaque.ProviderHash("p");

    private static (StreamStep Step, List<string> Updates) Decode(AnthropicDecoder decoder, string eventType, string data)
    {
        var updates = new List<ChatUpdate>();
        var step = decoder.Decode(new SseEvent(eventType, Encoding.UTF8.GetBytes(data)), updates);
        return (step, [.. updates.Select(Describe)]);
    }

    private static string Describe(ChatUpdate update) => update.Kind switch
    {
        ChatUpdateKind.Start => $"start {update.ResponseId} {update.Model} role={update.AnnouncesRole}",
        ChatUpdateKind.Usage => $"usage in={update.Usage!.Value.InputTokens} out={update.Usage.Value.OutputTokens} read={update.Usage.Value.CacheReadTokens} write={update.Usage.Value.CacheWriteTokens}",
        ChatUpdateKind.TextDelta => "text " + update.Text,
        ChatUpdateKind.ReasoningDelta => "thinking " + update.Text,
        ChatUpdateKind.ReasoningSignature => "signature " + update.Opaque!.Encode(),
        ChatUpdateKind.RedactedReasoning => "redacted " + update.Opaque!.Encode(),
        ChatUpdateKind.ToolCallStart => $"call {update.ToolIndex} {update.ToolId} {update.ToolName}",
        ChatUpdateKind.ToolArgumentsDelta => $"args {update.ToolIndex} {update.Text}",
        ChatUpdateKind.Finish => "finish " + update.Finish,
        _ => update.Kind.ToString(),
    };

    [Fact]
    public void Decode_AStreamOfEveryBlockKind()
    {
        var decoder = new AnthropicDecoder("p");
        var steps = new List<StreamStep>();
        var updates = new List<string>();
        foreach (var (name, data) in new[]
        {
            ("message_start", """{"type":"message_start","message":{"id":"msg_1","model":"claude","usage":{"input_tokens":5,"cache_read_input_tokens":2,"cache_creation_input_tokens":1,"output_tokens":1}}}"""),
            ("ping", """{"type":"ping"}"""),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"pre","signature":"S0"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"t"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"S1"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"not in a text block"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"R"}}"""),
            ("content_block_start", """{"type":"content_block_start","index":2,"content_block":{"type":"text","text":"Hi"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":" there"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}"""),
            ("content_block_start", """{"type":"content_block_start","index":3,"content_block":{"type":"server_tool_use","id":"srv","name":"web_search","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"q\":1}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":3}"""),
            ("content_block_start", """{"type":"content_block_start","index":4,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":4}"""),
            ("content_block_start", """{"type":"content_block_start","index":5,"content_block":{"type":"tool_use","id":"toolu_2","name":"g","input":{}}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":5}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":5}"""),
            ("content_block_start", """{"type":"content_block_start","index":6,"content_block":{"type":"tool_use","id":"toolu_3","name":"h","input":{"b":2}}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":6}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":9,"delta":{"type":"input_json_delta","partial_json":"x"}}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}"""),
            ("message_delta", """{"type":"message_delta","delta":{},"usage":"x"}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        })
        {
            var (step, decoded) = Decode(decoder, name, data);
            steps.Add(step);
            updates.AddRange(decoded);
        }

        Assert.All(steps, s => Assert.Equal(StreamStep.Preamble, s));
        Assert.Equal(
            [
                "start msg_1 claude role=True",
                "usage in=5 out=1 read=2 write=1",
                "thinking pre",
                $"signature gw1~a{P}~S0",
                "thinking t",
                $"signature gw1~a{P}~S1",
                $"redacted gw1~a{P}~R",
                "text Hi",
                "text  there",
                "call 0 toolu_1 f",
                """args 0 {"a":1}""",
                "call 1 toolu_2 g",
                "args 1 {}",
                "call 2 toolu_3 h",
                """args 2 {"b":2}""",
                "finish tool_calls",
                "usage in=0 out=9 read=0 write=0",
            ],
            updates);
    }

    [Theory]
    [InlineData("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", "UpstreamError")]
    [InlineData("error", """{"error":{"type":"overloaded_error"}}""", "UpstreamError")]
    [InlineData("message_stop", """{"type":"error"}""", "UpstreamError")]
    [InlineData("error", """{"type":"ping"}""", "Preamble")]
    [InlineData("message_start", "[1]", "Malformed")]
    [InlineData("message_start", """{"type":"message_start","message":""", "Malformed")]
    [InlineData("message_start", """{"type":"message_start","message":"m"}""", "Preamble")]
    [InlineData("content_block_start", """{"type":"content_block_start","index":0}""", "Preamble")]
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":0}""", "Preamble")]
    public void Decode_ErrorsAndMalformedEvents(string name, string data, string expected)
    {
        var (step, updates) = Decode(new AnthropicDecoder("p"), name, data);

        Assert.Equal(expected, step.ToString());
        Assert.Empty(updates);
    }

    [Fact]
    public void DecodeWhole_AMessageAsUpdates()
    {
        var updates = new List<ChatUpdate>();

        Assert.True(new AnthropicDecoder("p").DecodeWhole(
            """{"id":"msg_1","type":"message","model":"claude","content":[{"type":"thinking","thinking":"t","signature":"S"},{"type":"text","text":"a"},{"type":"text","text":""},{"type":"tool_use","id":"toolu_1","name":"f","input":{}},{"type":"tool_use","id":"toolu_2","name":"g","input":{"x":1}}],"stop_reason":"max_tokens","usage":{"input_tokens":3,"output_tokens":4}}"""u8,
            updates));

        Assert.Equal(
            [
                "start msg_1 claude role=True",
                "thinking t",
                $"signature gw1~a{P}~S",
                "text a",
                "call 0 toolu_1 f",
                "args 0 {}",
                "call 1 toolu_2 g",
                """args 1 {"x":1}""",
                "finish length",
                "usage in=3 out=4 read=0 write=0",
            ],
            updates.Select(Describe));
    }

    [Fact]
    public void DecodeWhole_NoStopReasonIsEndTurn_ACallWithoutIdGetsOne()
    {
        var updates = new List<ChatUpdate>();

        Assert.True(new AnthropicDecoder("p").DecodeWhole("""{"type":"message","content":[{"type":"tool_use","input":[]}]}"""u8, updates));

        Assert.Equal(["start   role=True", "call 0 <id> ", "args 0 {}", "finish stop"], updates.Select(u => u.Kind == ChatUpdateKind.ToolCallStart ? $"call {u.ToolIndex} <id> {u.ToolName}" : Describe(u)));
        Assert.Matches("^call_[A-Za-z0-9]{24}$", updates[1].ToolId);
    }

    [Theory]
    [InlineData("""{"type":"error","content":[]}""")]
    [InlineData("""{"type":"message","content":{}}""")]
    [InlineData("""{"type":"message"}""")]
    [InlineData("""[{"type":"message","content":[]}]""")]
    [InlineData("""{"type":"message","content":[""")]
    public void DecodeWhole_NotAMessage_False(string body)
    {
        var updates = new List<ChatUpdate>();

        Assert.False(new AnthropicDecoder("p").DecodeWhole(Encoding.UTF8.GetBytes(body), updates));
        Assert.Empty(updates);
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("model_context_window_exceeded", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    [InlineData("pause_turn", "pause_turn")]
    [InlineData("something_new", "something_new")]
    public void FinishOf_InTheNeutralVocabulary(string stopReason, string expected)
    {
        Assert.Equal(expected, AnthropicDecoder.FinishOf(stopReason).Value);
    }
}
