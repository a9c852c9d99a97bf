using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>Neutral updates (from a translated upstream) as OpenAI chunks: the byte path's rules (SPEC §5).</summary>
public sealed class OpenAIChatEncoderTests
{
    private const string Head = """{"id":"msg_1","object":"chat.completion.chunk","created":7,"model":"claude","choices":[""";
    private const string Plain = """{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}""";
    private const string WithUsage = """{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}""";
    private const string TwoChoices = """{"model":"m","stream":true,"n":2,"messages":[{"role":"user","content":"x"}]}""";
    private const string Legacy = """{"model":"m","stream":true,"functions":[{"name":"f"}],"messages":[{"role":"user","content":"x"}]}""";

    private static readonly ChatUpdate Start = new() { Kind = ChatUpdateKind.Start, ResponseId = "msg_1", Model = "claude", Created = 7, AnnouncesRole = true };
    private static readonly TokenUsage Usage = new(3, 2, Estimated: false);
    private static readonly GatewayError Interrupted = StreamErrors.Interrupted();
    private static readonly Opaque Signature = new("sig", ProviderKind.Anthropic, "p");

    [Fact]
    public void Encode_UsageNotRequested_RidesOnTheHeldFinishChunk()
    {
        var encoder = new OpenAIChatEncoder(Request(Plain), false, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([Start, ChatUpdate.TextDelta("Hi")], frames);
        encoder.Encode([ChatUpdate.UsageReport(Usage), ChatUpdate.Finished(FinishReason.Stop)], frames);
        Assert.Single(frames);
        encoder.Complete(frames, Usage, Interrupted);

        Assert.Equal(
        [
            Head + """{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "[DONE]",
        ], Texts(frames));
        Assert.Equal(FinishReason.Stop, encoder.Finish);
    }

    [Fact]
    public void Encode_UsageRequested_NullUsageOnChunksThenAUsageChunk()
    {
        var encoder = new OpenAIChatEncoder(Request(WithUsage), false, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([Start], frames);
        encoder.Encode([ChatUpdate.TextDelta("Hi"), ChatUpdate.Finished(FinishReason.PauseTurn)], frames);
        encoder.Complete(frames, Usage, Interrupted);

        Assert.Equal(
        [
            Head + """{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}""",
            Head + """{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}],"usage":null}""",
            Head + """],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "[DONE]",
        ], Texts(frames));
    }

    [Fact]
    public void Encode_InterleavedToolCalls_KeepTheirIndexAndNameOnlyOnTheFirstDelta()
    {
        var encoder = new OpenAIChatEncoder(Request(Plain), false, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([Start, ChatUpdate.ToolCallStart(0, "toolu_a", "read")], frames);
        encoder.Encode([ChatUpdate.ToolCallStart(1, "toolu_b", "patch", custom: true)], frames);
        encoder.Encode([ChatUpdate.ToolArguments(0, "{\"p\":"), new ChatUpdate { Kind = ChatUpdateKind.ToolArgumentsDelta, ToolIndex = 1, Text = "diff", CustomTool = true }], frames);
        encoder.Encode([ChatUpdate.ToolArguments(0, "1}")], frames);
        encoder.Encode([ChatUpdate.Finished(FinishReason.Stop)], frames);
        encoder.Complete(frames, Usage, Interrupted);

        Assert.Equal(
        [
            Head + """{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"toolu_a","type":"function","function":{"name":"read","arguments":""}}]},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{"tool_calls":[{"index":1,"id":"toolu_b","type":"custom","custom":{"name":"patch","input":""}}]},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"p\":"}},{"index":1,"custom":{"input":"diff"}}]},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "[DONE]",
        ], Texts(frames));
        Assert.Equal(FinishReason.ToolCalls, encoder.Finish);
    }

    [Fact]
    public void Encode_LegacyFunctions_OnlyTheFirstCallAsFunctionCall()
    {
        var encoder = new OpenAIChatEncoder(Request(Legacy), false, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([Start, ChatUpdate.ToolCallStart(0, "toolu_a", "f"), ChatUpdate.ToolCallStart(1, "toolu_b", "g")], frames);
        encoder.Encode([ChatUpdate.ToolArguments(1, "ignored"), ChatUpdate.ToolArguments(0, "{}")], frames);
        encoder.Encode([ChatUpdate.ToolArguments(1, "ignored")], frames);
        encoder.Encode([ChatUpdate.Finished(FinishReason.ToolCalls)], frames);
        encoder.Complete(frames, Usage, Interrupted);

        Assert.Equal(
        [
            Head + """{"index":0,"delta":{"role":"assistant","content":null,"function_call":{"name":"f","arguments":""}},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{"function_call":{"arguments":"{}"}},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{},"finish_reason":"function_call"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "[DONE]",
        ], Texts(frames));
    }

    [Fact]
    public void Encode_ReasoningRefusalAndSignatures_OnlyTheTextsReachTheClient()
    {
        var encoder = new OpenAIChatEncoder(Request(Plain), false, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([Start, ChatUpdate.ReasoningDelta("hm"), ChatUpdate.ReasoningSignature(Signature), ChatUpdate.RedactedReasoning(Signature)], frames);
        encoder.Encode([Refusal("no"), ChatUpdate.ReasoningDelta(string.Empty)], frames);
        encoder.Encode([ChatUpdate.ReasoningSignature(Signature)], frames);

        Assert.Equal(
        [
            Head + """{"index":0,"delta":{"role":"assistant","content":"","reasoning_content":"hm"},"finish_reason":null}]}""",
            Head + """{"index":0,"delta":{"refusal":"no"},"finish_reason":null}]}""",
        ], Texts(frames));
    }

    [Fact]
    public void Encode_TwoChoices_TheSecondsFinishCompletesAndCarriesUsage()
    {
        var encoder = new OpenAIChatEncoder(Request(TwoChoices), false, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.TextDelta("a"), ChatUpdate.Finished(FinishReason.Stop)], frames);
        Assert.Single(frames); // choice 1 not seen yet: nothing to hold for
        encoder.Encode([ChatUpdate.TextDelta("b", choice: 1), ChatUpdate.Finished(FinishReason.Length, choice: 1)], frames);
        encoder.Complete(frames, Usage, Interrupted);

        Assert.Equal(
        [
            """{"id":"chatcmpl-gateway","object":"chat.completion.chunk","created":0,"model":"fallback","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}""",
            """{"id":"chatcmpl-gateway","object":"chat.completion.chunk","created":0,"model":"fallback","choices":[{"index":1,"delta":{"content":"b"},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "[DONE]",
        ], Texts(frames));
    }

    [Fact]
    public void Encode_TwoChoicesFinishingInOneBatch_AreOneHeldChunk()
    {
        var encoder = new OpenAIChatEncoder(Request(TwoChoices), false, "fallback", created: 99);
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.TextDelta("a"), ChatUpdate.TextDelta("b", choice: 1)], frames);
        encoder.Encode([ChatUpdate.Finished(FinishReason.Stop), ChatUpdate.Finished(FinishReason.Stop, choice: 1)], frames);
        Assert.Single(frames);
        encoder.Complete(frames, Usage, Interrupted);

        Assert.Equal(
            """{"id":"chatcmpl-gateway","object":"chat.completion.chunk","created":99,"model":"fallback","choices":[{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            Texts(frames)[1]);
    }

    [Fact]
    public void Encode_RepeatedFinishOfOneChoice_DoesNotCompleteTheOther()
    {
        var encoder = new OpenAIChatEncoder(Request(TwoChoices), false, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.Finished(FinishReason.Stop), ChatUpdate.Finished(FinishReason.Stop), ChatUpdate.TextDelta("b", choice: 1)], frames);

        Assert.False(encoder.AllChoicesFinished);
    }

    [Theory]
    [InlineData(Plain, false)]
    [InlineData(WithUsage, true)]
    public void Complete_NoChoiceEver_IsTheErrorEventThenDone(string request, bool usageChunk)
    {
        var encoder = new OpenAIChatEncoder(Request(request), false, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([new ChatUpdate { Kind = ChatUpdateKind.Start, ResponseId = "msg_1" }, ChatUpdate.UsageReport(Usage)], frames);
        encoder.Complete(frames, Usage, Interrupted);

        var texts = Texts(frames);
        Assert.Equal(usageChunk ? 3 : 2, texts.Count);
        Assert.Contains("\"code\":\"stream_interrupted\"", texts[0], StringComparison.Ordinal);
        Assert.Equal(usageChunk, texts[1].Contains("\"usage\":{\"prompt_tokens\":3", StringComparison.Ordinal));
        Assert.Equal("[DONE]", texts[^1]);
        Assert.False(encoder.AllChoicesFinished);
        Assert.Null(encoder.Finish);
    }

    [Fact]
    public void Complete_Interrupted_ReleasesHeldThinkingTextAndClosesTheBlock()
    {
        var encoder = new OpenAIChatEncoder(Request(Plain), true, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.TextDelta("<thinking>plan </thi")], frames);
        encoder.Complete(frames, Usage, Interrupted);

        var texts = Texts(frames);
        Assert.Equal("""{"id":"chatcmpl-gateway","object":"chat.completion.chunk","created":0,"model":"fallback","choices":[{"index":0,"delta":{"content":"<think>plan "},"finish_reason":null}]}""", texts[0]);
        Assert.Equal("""{"id":"chatcmpl-gateway","object":"chat.completion.chunk","created":0,"model":"fallback","choices":[{"index":0,"delta":{"content":"</thi</think>"},"finish_reason":null}]}""", texts[1]);
        Assert.Contains("stream_interrupted", texts[2], StringComparison.Ordinal);
        Assert.Equal("[DONE]", texts[3]);
    }

    [Fact]
    public void Encode_ThinkingBlockOpenAtFinish_IsClosedOnTheFinishChunk()
    {
        var encoder = new OpenAIChatEncoder(Request(WithUsage), true, "fallback");
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.TextDelta("<thinking>x"), ChatUpdate.Finished(FinishReason.Stop)], frames);

        Assert.Contains("""{"content":"<think>x</think>"},"finish_reason":"stop"}""", Texts(frames)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeWhole_OneCompletionPerChoiceWithUsage()
    {
        var encoder = new OpenAIChatEncoder(Request(TwoChoices), true, "fallback");

        var whole = encoder.EncodeWhole(
        [
            Start,
            ChatUpdate.ReasoningDelta("r"),
            ChatUpdate.TextDelta("<thinking>t</thinking>"),
            ChatUpdate.TextDelta("answer"),
            ChatUpdate.ToolCallStart(0, "toolu_a", "read"),
            ChatUpdate.ToolArguments(0, "{\"p\":"),
            ChatUpdate.ToolArguments(0, "1}"),
            ChatUpdate.ToolCallStart(0, "toolu_c", "patch", custom: true, choice: 1),
            ChatUpdate.ToolArguments(0, "diff", choice: 1),
            Refusal("no", choice: 1),
            ChatUpdate.UsageReport(Usage),
            ChatUpdate.Finished(FinishReason.Stop),
        ], Usage);

        Assert.Equal(
            """{"id":"msg_1","object":"chat.completion","created":7,"model":"claude","choices":[""" +
            """{"index":0,"message":{"role":"assistant","content":"<think>t</think>answer","reasoning_content":"r","tool_calls":[{"id":"toolu_a","type":"function","function":{"name":"read","arguments":"{\"p\":1}"}}]},"finish_reason":"tool_calls"},""" +
            """{"index":1,"message":{"role":"assistant","content":null,"refusal":"no","tool_calls":[{"id":"toolu_c","type":"custom","custom":{"name":"patch","input":"diff"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            Encoding.UTF8.GetString(whole.Span));
        Assert.Equal(FinishReason.ToolCalls, encoder.Finish);
    }

    [Fact]
    public void EncodeWhole_Legacy_IsAFunctionCallWithFinishFunctionCall()
    {
        var encoder = new OpenAIChatEncoder(Request(Legacy), false, "fallback");

        var whole = encoder.EncodeWhole([ChatUpdate.ToolCallStart(0, "toolu_a", "f"), ChatUpdate.ToolArguments(0, "{}"), ChatUpdate.Finished(FinishReason.Length)], Usage);

        Assert.Equal(
            """{"id":"chatcmpl-gateway","object":"chat.completion","created":0,"model":"fallback","choices":[{"index":0,"message":{"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}"}},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            Encoding.UTF8.GetString(whole.Span));
    }

    private static ChatUpdate Refusal(string text, int choice = 0) => new() { Kind = ChatUpdateKind.RefusalDelta, Text = text, Choice = choice };

    private static ChatRequest Request(string json) => OpenAIChatStreamProcessorTests.Parse(json);

    private static List<string> Texts(List<SseFrame> frames) => [.. frames.Select(f => Encoding.UTF8.GetString(f.Data.Span))];
}
