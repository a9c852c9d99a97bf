using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Gateway.Tests.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Pipeline;

/// <summary>
/// The neutral model against the byte path: for every OpenAI transcript in the fixtures, OpenAI → neutral →
/// OpenAI gives the client the same JSON as the pass-through codec (member order aside), and every
/// golden request body comes out the same. Fields that may legitimately differ are listed here.
/// </summary>
public sealed partial class NeutralRoundTripTests
{
    /// <summary>
    /// What may legitimately differ, and is normalized away before comparing:
    /// <list type="bullet">
    /// <item>members the neutral path does not carry: <c>system_fingerprint</c>, per-choice <c>logprobs</c>
    /// (no other format has them; OpenAI to OpenAI always takes the byte path);</item>
    /// <item>a member whose value is null and an absent member (<c>"content":null</c>, <c>"usage":null</c> when
    /// the client did not ask for usage — the byte path forwards the upstream's, the neutral path writes none);</item>
    /// <item>usage detail objects whose counts are all zero (the byte path forwards the upstream's);</item>
    /// <item>request bodies: a system message's text parts and the same text as one string.</item>
    /// </list>
    /// </summary>
    private static readonly string[] MayDiffer = ["system_fingerprint", "logprobs"];

    private static readonly TokenEstimator Estimator = new();

    [Theory]
    [InlineData("stream-passthrough", false)]
    [InlineData("stream-tool-calls-messy", false)]
    [InlineData("stream-usage-on-finish", false)]
    [InlineData("stream-usage-not-requested", false)]
    [InlineData("stream-no-upstream-usage", false)]
    [InlineData("stream-thinking-two-choices", true)]
    [InlineData("stream-legacy-functions", false)]
    [InlineData("stream-interrupted", true)]
    public async Task Stream_NeutralPathGivesTheClientWhatThePassThroughGives(string name, bool promptTags)
    {
        var request = OpenAIChatStreamProcessorTests.Parse(Golden.Read($"openai-chat/{name}.request.json"));
        var target = Target(promptTags);
        var passThrough = await RunAsync(new OpenAIPassThroughCodec(request, target, Estimator), name);
        request.Conversation = OpenAIChatRequestReader.Read(request);
        var neutral = await RunAsync(Neutral(request, target), name);

        Assert.Equal(passThrough.Count, neutral.Count);
        for (var i = 0; i < passThrough.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(Normalize(passThrough[i]), Normalize(neutral[i])), $"frame {i}:\n  pass-through: {passThrough[i]}\n  neutral:      {neutral[i]}");
        }
    }

    [Theory]
    [InlineData("request-plain-stream", true, false)]
    [InlineData("request-legacy-functions", true, false)]
    [InlineData("request-tool-filter", true, false)]
    [InlineData("request-thinking-prompt-tags", true, true)]
    [InlineData("request-no-stream-options", false, false)]
    public void Request_NeutralPathWritesTheBodyThePassThroughWrites(string name, bool streamOptions, bool promptTags)
    {
        var request = OpenAIChatStreamProcessorTests.Parse(Golden.Read($"openai-chat/{name}.json"));
        var target = Target(promptTags, streamOptions);
        var passThrough = Encoding.UTF8.GetString(new OpenAIPassThroughCodec(request, target, Estimator).UpstreamBody(request.Stream).Span);
        request.Conversation = OpenAIChatRequestReader.Read(request);
        var neutral = Encoding.UTF8.GetString(Neutral(request, target).UpstreamBody(request.Stream).Span);

        Assert.True(JsonNode.DeepEquals(NormalizeRequest(passThrough), NormalizeRequest(neutral)), $"\n  pass-through: {passThrough}\n  neutral:      {neutral}");
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"q"}]}""",
        """{"id":"c1","object":"chat.completion","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"name":"f"}}]}""",
        """{"id":"c1","object":"chat.completion","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}},{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"q"}],"functions":[{"name":"f"}]}""",
        """{"id":"c1","object":"chat.completion","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""")]
    [InlineData("""{"model":"m","n":2,"messages":[{"role":"user","content":"q"}]}""",
        """{"id":"c1","object":"chat.completion","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"length"},{"index":1,"message":{"role":"assistant","content":"b"},"finish_reason":null}]}""")]
    public void Whole_NeutralPathAnswersWhatThePassThroughAnswers(string requestJson, string completion)
    {
        var request = OpenAIChatStreamProcessorTests.Parse(requestJson);
        var target = Target(promptTags: false);
        var body = Encoding.UTF8.GetBytes(completion);
        Assert.True(new OpenAIPassThroughCodec(request, target, Estimator).TryAnswerWhole(body, out var passThrough));
        request.Conversation = OpenAIChatRequestReader.Read(request);
        Assert.True(Neutral(request, target).TryAnswerWhole(body, out var neutral));

        var expected = Encoding.UTF8.GetString(passThrough.Span);
        var actual = Encoding.UTF8.GetString(neutral.Span);
        Assert.True(JsonNode.DeepEquals(Normalize(expected), Normalize(actual)), $"\n  pass-through: {expected}\n  neutral:      {actual}");
    }

    [Fact]
    public void Normalize_MemberOrderDoesNotMatterButValuesDo()
    {
        // The comparison above must be able to fail: a changed value is a difference, a reordered member is not.
        Assert.True(JsonNode.DeepEquals(Normalize("""{"a":1,"b":[{"c":2,"d":3}]}"""), Normalize("""{"b":[{"d":3,"c":2}],"a":1}""")));
        Assert.False(JsonNode.DeepEquals(Normalize("""{"a":1,"b":[{"c":2}]}"""), Normalize("""{"a":1,"b":[{"c":3}]}""")));
    }

    private static TranslatingCodec Neutral(ChatRequest request, RouteTarget target) =>
        new(request, target, OpenAIChatRequestWriter.Instance, new OpenAIChatDecoder(),
            new OpenAIChatEncoder(request, target.Provider.Thinking == ThinkingMode.PromptTags && request.ThinkingBudget is not null, target.Model), Estimator);

    private static RouteTarget Target(bool promptTags, bool streamOptions = true) =>
        new(new Provider("p", new ProviderOptions
        {
            Kind = ProviderKind.OpenAI,
            BaseUrl = "http://upstream.test/v1",
            Thinking = promptTags ? ThinkingMode.PromptTags : ThinkingMode.Passthrough,
            StreamOptions = streamOptions,
        }), "upstream-model", 1, null);

    private static async Task<List<string>> RunAsync(IAttemptCodec codec, string name)
    {
        var frames = new List<SseFrame>();
        var upstream = new MemoryStream(Encoding.UTF8.GetBytes(Golden.Read($"openai-chat/{name}.upstream.sse")));
        using var body = new ReadActivityStream(upstream, TimeProvider.System);
        await foreach (var e in SseEventReader.ReadAsync(body, CancellationToken.None))
        {
            if (e.IsDone)
            {
                break;
            }

            codec.OnUpstreamEvent(e, frames);
        }

        codec.OnUpstreamEnd(frames, null);
        return [.. frames.Select(f => Encoding.UTF8.GetString(f.Data.Span))];
    }

    private static JsonNode? Normalize(string frame)
    {
        if (frame == "[DONE]")
        {
            return JsonValue.Create(frame);
        }

        var node = JsonNode.Parse(GeneratedId().Replace(frame, "call_<generated>"));
        Strip(node);
        return node;
    }

    private static JsonNode? NormalizeRequest(string body)
    {
        var node = JsonNode.Parse(body)!;
        foreach (var message in node["messages"]!.AsArray().OfType<JsonObject>())
        {
            if (message["role"]!.GetValue<string>() == "system" && message["content"] is JsonArray parts)
            {
                message["content"] = string.Join("\n", parts.Select(p => p!["text"]!.GetValue<string>()));
            }
        }

        Strip(node);
        return node;
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in MayDiffer)
                {
                    o.Remove(name);
                }

                foreach (var name in o.Where(p => p.Value is null || (p.Key.EndsWith("_details", StringComparison.Ordinal) && p.Value is JsonObject details && details.All(d => d.Value?.GetValue<int>() == 0))).Select(p => p.Key).ToList())
                {
                    o.Remove(name);
                }

                foreach (var (_, value) in o)
                {
                    Strip(value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Strip(item);
                }

                break;
        }
    }

    [GeneratedRegex("call_[A-Za-z0-9]{24}")]
    private static partial Regex GeneratedId();
}
