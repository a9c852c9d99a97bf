using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>The OpenAI Chat byte path: request members copied, chunks forwarded, the stream's end told.</summary>
public sealed class OpenAIPassThroughCodecTests
{
    private static readonly TokenEstimator Estimator = new();

    private const string Question = "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]";

    [Fact]
    public void UpstreamBody_StreamOptionsOnlyForAStreamToAProviderThatTakesThem()
    {
        var request = OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\",\"stream\":true," + Question + "}");

        Assert.Equal("{\"model\":\"upstream-model\",\"stream\":true," + Question + ",\"stream_options\":{\"include_usage\":true}}", Body(Codec(request), stream: true));
        Assert.Equal("{\"model\":\"upstream-model\",\"stream\":true," + Question + "}", Body(Codec(request), stream: false));
        Assert.Equal("{\"model\":\"upstream-model\",\"stream\":true," + Question + "}", Body(Codec(request, streamOptions: false), stream: true));
    }

    [Fact]
    public void UpstreamBody_ThinkingFollowsTheProvidersMode()
    {
        var request = OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\",\"reasoning_effort\":\"high\",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":64}," + Question + "}");

        Assert.Equal("{\"model\":\"upstream-model\",\"reasoning_effort\":\"high\",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":64}," + Question + "}", Body(Codec(request, ThinkingMode.Passthrough), false));
        Assert.Equal("{\"model\":\"upstream-model\"," + Question + "}", Body(Codec(request, ThinkingMode.Off), false));
        Assert.Equal(
            "{\"model\":\"upstream-model\",\"reasoning_effort\":\"high\",\"messages\":[{\"role\":\"system\",\"content\":\"<thinking_mode>interleaved</thinking_mode><max_thinking_length>64</max_thinking_length>\"},{\"role\":\"user\",\"content\":\"q\"}]}",
            Body(Codec(request, ThinkingMode.PromptTags), false));
    }

    // PromptTags with a budget: the answer's <thinking> tags are rewritten to <think>; otherwise the chunk is the same bytes.
    [Fact]
    public void OnUpstreamEvent_PromptTagsWithABudget_RewritesThinking()
    {
        const string chunk = """{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"<thinking>hm</thinking>ok"},"finish_reason":null}]}""";
        var withBudget = OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\",\"stream\":true,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":64}," + Question + "}");
        var withoutBudget = OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\",\"stream\":true," + Question + "}");

        Assert.Equal([chunk], Events(Codec(withBudget, ThinkingMode.Passthrough), chunk));
        Assert.Equal([chunk], Events(Codec(withoutBudget, ThinkingMode.PromptTags), chunk));
        Assert.Equal([chunk.Replace("<thinking>hm</thinking>", "<think>hm</think>", StringComparison.Ordinal)], Events(Codec(withBudget, ThinkingMode.PromptTags), chunk));
    }

    [Fact]
    public void OnUpstreamEnd_Completed_OnlyDone_FinishAndUsageFromTheStream()
    {
        var codec = Codec(OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\",\"stream\":true," + Question + "}"));
        Assert.Null(codec.Usage);
        Assert.Null(codec.Finish);
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Content, codec.OnUpstreamEvent(new SseEvent("message", Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""")), frames));
        frames.Clear();

        Assert.Equal(StreamEnd.Completed, codec.OnUpstreamEnd(frames, null));

        Assert.Equal(SseFrame.Done, frames[^1]);
        Assert.Equal(FinishReason.Length, codec.Finish);
        Assert.Equal((3, 2), (codec.Usage!.Value.PromptTokens, codec.Usage.Value.CompletionTokens));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnUpstreamEnd_Interrupted_ErrorThenUsageWhenAskedThenDone(bool wantsUsage)
    {
        var options = wantsUsage ? ",\"stream_options\":{\"include_usage\":true}" : string.Empty;
        var codec = Codec(OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\",\"stream\":true" + options + "," + Question + "}"));
        var frames = new List<SseFrame>();
        codec.OnUpstreamEvent(new SseEvent("message", Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}""")), frames);
        frames.Clear();

        Assert.Equal(StreamEnd.Interrupted, codec.OnUpstreamEnd(frames, null));

        Assert.Equal(wantsUsage ? 3 : 2, frames.Count);
        Assert.Equal(Encoding.UTF8.GetString(OpenAIErrorEnvelope.Serialize(StreamErrors.Interrupted()).Span), Encoding.UTF8.GetString(frames[0].Data.Span));
        if (wantsUsage)
        {
            Assert.Contains("\"choices\":[]", Encoding.UTF8.GetString(frames[1].Data.Span), StringComparison.Ordinal);
            Assert.Contains("\"usage\":{", Encoding.UTF8.GetString(frames[1].Data.Span), StringComparison.Ordinal);
        }

        Assert.Equal(SseFrame.Done, frames[^1]);
    }

    [Fact]
    public void OnUpstreamEnd_Interrupted_TheGivenErrorIsSent()
    {
        var codec = Codec(OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\",\"stream\":true," + Question + "}"));
        var frames = new List<SseFrame>();
        codec.OnUpstreamEvent(new SseEvent("message", Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}""")), frames);
        frames.Clear();
        var error = StreamErrors.Interrupted("cut off", "timeout");

        Assert.Equal(StreamEnd.Interrupted, codec.OnUpstreamEnd(frames, error));

        Assert.Equal(2, frames.Count);
        Assert.Equal(Encoding.UTF8.GetString(OpenAIErrorEnvelope.Serialize(error).Span), Encoding.UTF8.GetString(frames[0].Data.Span));
        Assert.Equal(SseFrame.Done, frames[1]);
    }

    [Fact]
    public void EventsOfWhole_CompletionAsMessageEvents_OrNull()
    {
        var codec = Codec(OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\"," + Question + "}"));
        var completion = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"""u8.ToArray();

        var events = codec.EventsOfWhole(completion)!;

        var chunks = CompletionToChunks.TryConvert(completion)!;
        Assert.Equal(chunks.Count, events.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal("message", events[i].EventType);
            Assert.Equal(Encoding.UTF8.GetString(chunks[i].Span), Encoding.UTF8.GetString(events[i].Data.Span));
        }

        Assert.Null(codec.EventsOfWhole("""{"error":{"message":"x"}}"""u8));
    }

    [Fact]
    public void TryAnswerWhole_KeepsUsageAndFinish_RefusesWhatIsNoCompletion()
    {
        var codec = Codec(OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\"," + Question + "}"));

        Assert.False(codec.TryAnswerWhole("""{"error":{"message":"x"}}"""u8.ToArray(), out _));
        Assert.Null(codec.Usage);
        Assert.Null(codec.Finish);

        Assert.True(codec.TryAnswerWhole("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"length"}],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}"""u8.ToArray(), out var answer));
        Assert.Contains("\"content\":\"hi\"", Encoding.UTF8.GetString(answer.Span), StringComparison.Ordinal);
        Assert.Equal(FinishReason.Length, codec.Finish);
        Assert.Equal((4, 1), (codec.Usage!.Value.PromptTokens, codec.Usage.Value.CompletionTokens));
    }

    [Theory]
    [InlineData("""{"error":{"message":"Incorrect API key provided"}}""", "Auth")]
    [InlineData("""{"error":{"message":"model overloaded"}}""", "BadResponse")]
    [InlineData("""not json""", "BadResponse")]
    public void FailureOf_ClassifiesTheErrorMessage(string body, string kind)
    {
        var codec = Codec(OpenAIChatStreamProcessorTests.Parse("{\"model\":\"p\"," + Question + "}"));

        Assert.Equal(new UpstreamFailure(Enum.Parse<FailureKind>(kind), 500, "d"), codec.FailureOf(Encoding.UTF8.GetBytes(body), 500, "d"));
    }

    private static OpenAIPassThroughCodec Codec(ChatRequest request, ThinkingMode thinking = ThinkingMode.Passthrough, bool streamOptions = true) =>
        new(request, new RouteTarget(new Provider("p", new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://upstream.test/v1", Thinking = thinking, StreamOptions = streamOptions }), "upstream-model", 1, null), Estimator);

    private static string Body(OpenAIPassThroughCodec codec, bool stream) => Encoding.UTF8.GetString(codec.UpstreamBody(stream).Span);

    private static List<string> Events(OpenAIPassThroughCodec codec, string data)
    {
        var frames = new List<SseFrame>();
        codec.OnUpstreamEvent(new SseEvent("message", Encoding.UTF8.GetBytes(data)), frames);
        return [.. frames.Select(f => Encoding.UTF8.GetString(f.Data.Span))];
    }
}
