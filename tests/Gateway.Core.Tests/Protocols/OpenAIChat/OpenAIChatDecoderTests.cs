using System.Text;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Routing;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

public sealed class OpenAIChatDecoderTests
{
    // Regression: an upstream that sends its reasoning under both names in one delta had it doubled.
    [Fact]
    public void Decode_ReasoningUnderBothNamesInOneDelta_IsTakenOnce()
    {
        var updates = new List<ChatUpdate>();
        const string chunk = """{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"Think.","reasoning":"Think."},"finish_reason":null}]}""";

        new OpenAIChatDecoder().Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(chunk)), updates);

        var reasoning = Assert.Single(updates, u => u.Kind == ChatUpdateKind.ReasoningDelta);
        Assert.Equal("Think.", reasoning.Text);
    }

    [Fact]
    public void Decode_ReasoningUnderTheOtherName_IsStillRead()
    {
        var updates = new List<ChatUpdate>();
        const string chunk = """{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"","reasoning":"Think."},"finish_reason":null}]}""";

        new OpenAIChatDecoder().Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(chunk)), updates);

        Assert.Equal("Think.", Assert.Single(updates, u => u.Kind == ChatUpdateKind.ReasoningDelta).Text);
    }

    [Fact]
    public void Decode_Stream_StartOnceBeforeTheChoices_TextRefusalFinishUsage()
    {
        var decoder = new OpenAIChatDecoder();
        var updates = new List<ChatUpdate>();

        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}],"id":"c1","model":"m1","created":5,"usage":null,"x":[1]}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"id":"c2","model":"m2","choices":[{"delta":{"refusal":"no","content":"","role":null},"index":0}]}""", updates));
        Assert.Equal(StreamStep.Preamble, Decode(decoder, """{"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""", updates));

        Assert.Equal(["Start c1 m1 5", "Role", "Text Hi", "Refusal no", "Finish 0 length", "Usage 3/2"], Describe(updates));
    }

    [Theory]
    [InlineData("""{"created":"5","model":"m"}""", "Start - m -")]
    [InlineData("""{"id":"c"}""", "Start c - -")]
    [InlineData("""{"id":5,"model":null,"created":1}""", "")]
    [InlineData("""{"created":1,"choices":[]}""", "")]
    public void Decode_StartOnlyWithAnIdOrModel(string chunk, string expected)
    {
        var updates = new List<ChatUpdate>();

        Assert.Equal(StreamStep.Preamble, Decode(new OpenAIChatDecoder(), chunk, updates));

        Assert.Equal(expected.Length == 0 ? [] : [expected], Describe(updates));
    }

    [Theory]
    [InlineData("""{"error":{"message":"boom"}}""", "UpstreamError")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}],"error":"boom"}""", "UpstreamError")]
    [InlineData("""{"id":"c","error":null,"choices":[{"index":0,"delta":{"content":"a"}}]}""", "Preamble")]
    [InlineData("""{"id":"c","error":5}""", "Preamble")]
    [InlineData("""["choices"]""", "Malformed")]
    [InlineData("\"hello\"", "Malformed")]
    [InlineData("5", "Malformed")]
    [InlineData("", "Malformed")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}]} {}""", "Malformed")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}""", "Malformed")]
    public void Decode_Steps_AndNothingKeptFromARefusedChunk(string chunk, string step)
    {
        var updates = new List<ChatUpdate>();

        Assert.Equal(Enum.Parse<StreamStep>(step), Decode(new OpenAIChatDecoder(), chunk, updates));

        if (step != "Preamble")
        {
            Assert.Empty(updates);
        }
    }

    // A container where the decoder expects another shape is skipped whole: what follows it is still read,
    // and nothing inside it is taken for a field of the level it sits in.
    [Theory]
    [InlineData("""{"choices":{"0":{"delta":{"content":"x"}}},"id":"c","model":"m"}""", "Start c m -")]
    [InlineData("""{"created":{"t":1},"id":"c","model":"m"}""", "Start c m -")]
    [InlineData("""{"id":{"v":"x"},"model":"m"}""", "Start - m -")]
    [InlineData("""{"choices":[[{"delta":{"content":"x"}}],{"delta":{"content":"y"}}]}""", "Text y")]
    [InlineData("""{"choices":[{"delta":[{"content":"x"}],"finish_reason":"stop"}]}""", "Finish 0 stop")]
    [InlineData("""{"choices":[{"delta":{"reasoning_content":"a","reasoning":{"text":"b"},"content":"c"}}]}""", "Reasoning a|Text c")]
    [InlineData("""{"choices":[{"delta":{"reasoning":"a","reasoning_content":"a","content":"c"}}]}""", "Reasoning a|Text c")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[["x"],{"index":0,"id":"call_a","function":{"name":"f","arguments":"{}"}}]}}]}""", "Call 0 0 call_a f function {}")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":{"index":0,"id":"call_a"},"content":"c"}}]}""", "Text c")]
    [InlineData("""{"choices":[{"delta":{"function_call":["f"],"content":"c"}}]}""", "Text c")]
    [InlineData("""{"choices":[{"delta":{"audio":{"content":"x"},"content":"c"}}]}""", "Text c")]
    [InlineData("""{"choices":[{"delta":{"content":{"text":"x"},"refusal":"r"}}]}""", "Refusal r")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_a","function":["f"],"type":"custom"}]}}]}""", "Call 0 0 call_a  custom ")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_a","extra":{"k":1},"function":{"name":"f","arguments":"{}"}}]}}]}""", "Call 0 0 call_a f function {}")]
    public void Decode_AContainerOfAnotherShape_IsSkippedWhole(string chunk, string expected)
    {
        var updates = new List<ChatUpdate>();

        Assert.Equal(StreamStep.Preamble, Decode(new OpenAIChatDecoder(), chunk, updates));

        Assert.Equal(expected.Split('|'), Describe(updates));
    }

    [Fact]
    public void Decode_AnEmptyFinishReason_IsNoFinish_ButAWholeAnswerStillEnds()
    {
        var updates = new List<ChatUpdate>();
        Decode(new OpenAIChatDecoder(), """{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":""}]}""", updates);
        Assert.Equal(["Text a"], Describe(updates));

        updates.Clear();
        Assert.True(new OpenAIChatDecoder().DecodeWhole("""{"choices":[{"index":0,"message":{"content":"a"},"finish_reason":""}]}"""u8, updates));
        Assert.Equal(["Text a", "Finish 0 stop"], Describe(updates));
    }

    [Fact]
    public void Decode_TheStartGoesBeforeThisChunksChoices_NotBeforeEarlierUpdates()
    {
        var updates = new List<ChatUpdate> { ChatUpdate.Finished(FinishReason.Stop, 0), ChatUpdate.Finished(FinishReason.Stop, 1) };

        Decode(new OpenAIChatDecoder(), """{"choices":[{"index":0,"delta":{"content":"a"}}],"id":"c"}""", updates);

        Assert.Equal(["Finish 0 stop", "Finish 1 stop", "Start c - -", "Text a"], Describe(updates));
    }

    // A tool call sent with "custom" and no "type" is a custom call, also when "custom" comes twice.
    [Theory]
    [InlineData("""{"index":0,"id":"call_a","custom":{"name":"c","input":"x"}}""")]
    [InlineData("""{"index":0,"id":"call_a","custom":{"name":"c"},"custom":{"input":"x"}}""")]
    [InlineData("""{"index":0,"id":"call_a","function":{"name":"c"},"custom":{"input":"x"}}""")]
    public void Decode_CustomWithoutAType_IsACustomCall(string call)
    {
        var updates = new List<ChatUpdate>();

        Decode(new OpenAIChatDecoder(), $$$"""{"choices":[{"index":0,"delta":{"tool_calls":[{{{call}}}]}}]}""", updates);

        Assert.Equal(["Call 0 0 call_a c custom x"], Describe(updates));
    }

    // Some upstreams put an index on every element of a whole message's tool_calls, the same on each.
    [Fact]
    public void DecodeWhole_CallsSharingAnIndex_AreCallsOfTheirOwn()
    {
        var updates = new List<ChatUpdate>();

        Assert.True(new OpenAIChatDecoder().DecodeWhole("""{"choices":[{"index":0,"message":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"1"}},{"index":0,"id":"call_b","function":{"name":"g","arguments":"2"}}]},"finish_reason":"tool_calls"}]}"""u8, updates));

        Assert.Equal(["Call 0 0 call_a f function 1", "Call 0 1 call_b g function 2", "Finish 0 tool_calls"], Describe(updates));
    }

    // A legacy function_call is always call 0: an upstream that repeats the name on every delta still sends one call.
    [Fact]
    public void Decode_LegacyFunctionCall_NameOnEveryDelta_IsOneCall()
    {
        var decoder = new OpenAIChatDecoder();
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"choices":[{"index":0,"delta":{"function_call":{"name":"f","arguments":"{"}}}]}""", updates);
        Decode(decoder, """{"choices":[{"index":0,"delta":{"function_call":{"name":"f","arguments":"}"}}}]}""", updates);

        Assert.Equal(2, updates.Count);
        Assert.Equal(["Call 0 0 " + updates[0].ToolId + " f function {", "Args 0 0 " + updates[0].ToolId + " }"], Describe(updates));
    }

    // The first delta of a call without an index, the next with one and the same id: one call, not two.
    [Fact]
    public void Decode_IdFirstWithoutIndex_ThenWithOne_IsOneCall()
    {
        var decoder = new OpenAIChatDecoder();
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_a","function":{"name":"f","arguments":""}}]}}]}""", updates);
        Decode(decoder, """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"arguments":"{}"}}]}}]}""", updates);

        Assert.Equal(["Call 0 0 call_a f function ", "Args 0 0 call_a {}"], Describe(updates));
    }

    [Fact]
    public void Decode_ToolCalls_StartThenArguments_EmptyContinuationsDropped()
    {
        var decoder = new OpenAIChatDecoder();
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}},"junk",{"index":1,"id":"call_b","type":"custom","custom":{"name":"c","input":"x"}}]}}]}""", updates);
        Decode(decoder, """{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\""}},{"index":0,"function":{"arguments":""}},{"index":1,"custom":{"input":"y"}}]}}]}""", updates);
        Decode(decoder, """{"id":"c","choices":[{"index":0,"delta":{"tool_calls":"none","function_call":5},"finish_reason":"tool_calls"}]}""", updates);

        Assert.Equal(["Start c - -", "Call 0 0 call_a f function ", "Call 0 1 call_b c custom x", "Args 0 0 call_a {\"a\"", "Args 0 1 call_b y", "Finish 0 tool_calls"], Describe(updates));
    }

    [Fact]
    public void Decode_LegacyFunctionCall_IsCallZero()
    {
        var decoder = new OpenAIChatDecoder();
        var updates = new List<ChatUpdate>();

        Decode(decoder, """{"choices":[{"index":0,"delta":{"function_call":{"name":"f","arguments":"{"}}}]}""", updates);
        Decode(decoder, """{"choices":[{"index":0,"delta":{"function_call":{"arguments":"}","name":""}}}]}""", updates);

        Assert.Equal(2, updates.Count);
        Assert.Equal((ChatUpdateKind.ToolCallStart, 0, "f", "{"), (updates[0].Kind, updates[0].ToolIndex, updates[0].ToolName, updates[0].Text));
        Assert.Equal((ChatUpdateKind.ToolArgumentsDelta, 0, updates[0].ToolId, "}"), (updates[1].Kind, updates[1].ToolIndex, updates[1].ToolId, updates[1].Text));
    }

    [Theory]
    [InlineData(500, 127)]
    [InlineData(-3, 0)]
    [InlineData(2, 2)]
    public void Decode_ChoiceIndex_ClampedAndTakenEvenAfterTheDelta(int index, int choice)
    {
        var updates = new List<ChatUpdate>();

        Decode(new OpenAIChatDecoder(), $$"""{"choices":[{"delta":{"content":"a"},"finish_reason":"stop","index":{{index}}}]}""", updates);

        Assert.Equal([$"Text@{choice} a", $"Finish {choice} stop"], updates.Select(u => u.Kind == ChatUpdateKind.TextDelta ? $"Text@{u.Choice} {u.Text}" : $"Finish {u.Choice} {u.Finish!.Value.Value}"));
    }

    [Fact]
    public void Decode_ChoiceWithoutIndex_IsItsPosition()
    {
        var updates = new List<ChatUpdate>();

        Decode(new OpenAIChatDecoder(), """{"choices":[7,{"delta":{"content":"a"}},{"index":"x","delta":{"content":"b"}}]}""", updates);

        Assert.Equal([(0, "a"), (1, "b")], updates.Select(u => (u.Choice, u.Text!)));
    }

    [Fact]
    public void DecodeWhole_ReasoningFirst_ArgumentsAsText_MissingFinishIsStop()
    {
        var updates = new List<ChatUpdate>();

        Assert.True(new OpenAIChatDecoder().DecodeWhole("""{"id":"c","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"answer","reasoning_content":"why","tool_calls":[{"id":"call_a","type":"function","function":{"name":"f","arguments":{"a":[1, 2]}}},{"id":"call_a","function":{"name":"g","arguments":5}}]}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""u8, updates));

        var described = Describe(updates);
        Assert.Equal(["Start c m -", "Reasoning why", "Role", "Text answer", "Call 0 0 call_a f function {\"a\":[1, 2]}"], described[..5]);
        Assert.StartsWith("Call 0 1 call_", described[5], StringComparison.Ordinal);
        Assert.EndsWith(" g function ", described[5], StringComparison.Ordinal);
        Assert.Equal(["Finish 0 stop", "Usage 1/1"], described[6..]);
    }

    [Theory]
    [InlineData("""{"id":"c","choices":[]}""")]
    [InlineData("""{"id":"c","choices":{"index":0}}""")]
    [InlineData("""{"error":{"message":"x"},"choices":[{"index":0,"message":{"content":"a"}}]}""")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]""")]
    public void DecodeWhole_NoFinishedChoice_IsFalse(string body)
    {
        Assert.False(new OpenAIChatDecoder().DecodeWhole(Encoding.UTF8.GetBytes(body), []));
    }

    [Fact]
    public void DecodeWhole_DeltaIsNotReadInAWholeAnswer()
    {
        var updates = new List<ChatUpdate>();

        Assert.True(new OpenAIChatDecoder().DecodeWhole("""{"choices":[{"index":0,"delta":{"content":"a"},"message":"x","finish_reason":"length"}]}"""u8, updates));

        Assert.Equal(["Finish 0 length"], Describe(updates));
    }

    [Theory]
    [InlineData("""{"error":{"message":"Incorrect API key provided"}}""", "Auth")]
    [InlineData("""{"error":{"message":"overloaded"}}""", "BadResponse")]
    public void FailureOf_ClassifiesTheMessage(string body, string kind)
    {
        Assert.Equal(new UpstreamFailure(Enum.Parse<FailureKind>(kind), 429, "d"), new OpenAIChatDecoder().FailureOf(Encoding.UTF8.GetBytes(body), 429, "d"));
    }

    private static StreamStep Decode(OpenAIChatDecoder decoder, string chunk, List<ChatUpdate> updates) =>
        decoder.Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(chunk)), updates);

    private static List<string> Describe(List<ChatUpdate> updates) => [.. updates.Select(u => u.Kind switch
    {
        ChatUpdateKind.Start when u.AnnouncesRole => "Role",
        ChatUpdateKind.Start => $"Start {u.ResponseId ?? "-"} {u.Model ?? "-"} {u.Created?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}",
        ChatUpdateKind.TextDelta => "Text " + u.Text,
        ChatUpdateKind.RefusalDelta => "Refusal " + u.Text,
        ChatUpdateKind.ReasoningDelta => "Reasoning " + u.Text,
        ChatUpdateKind.ToolCallStart => $"Call {u.Choice} {u.ToolIndex} {u.ToolId} {u.ToolName} {(u.CustomTool ? "custom" : "function")} {u.Text}",
        ChatUpdateKind.ToolArgumentsDelta => $"Args {u.Choice} {u.ToolIndex} {u.ToolId} {u.Text}",
        ChatUpdateKind.Finish => $"Finish {u.Choice} {u.Finish!.Value.Value}",
        ChatUpdateKind.Usage => $"Usage {u.Usage!.Value.PromptTokens}/{u.Usage.Value.CompletionTokens}",
        var other => other.ToString(),
    })];
}
