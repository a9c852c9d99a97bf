using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>Golden transcripts: upstream SSE in, client SSE out (fixtures/openai-chat/stream-*).</summary>
public sealed class OpenAIChatStreamProcessorTests
{
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
    public async Task Transcript_MatchesGolden(string name, bool promptTags)
    {
        var request = Parse(Golden.Read($"openai-chat/{name}.request.json"));
        var processor = new OpenAIChatStreamProcessor(request, promptTags && request.ThinkingBudget is not null, Estimator);
        var output = new List<SseFrame>();
        var transcript = new StringBuilder();
        var upstream = new MemoryStream(Encoding.UTF8.GetBytes(Golden.Read($"openai-chat/{name}.upstream.sse")));
        using var body = new ReadActivityStream(upstream, TimeProvider.System);
        await foreach (var e in SseEventReader.ReadAsync(body, CancellationToken.None))
        {
            if (e.IsDone)
            {
                break;
            }

            var step = processor.Process(e.Data, output);
            transcript.Append("# ").Append(step).Append('\n');
            Flush(output, transcript);
        }

        var end = processor.Finish(output);
        Flush(output, transcript);
        transcript.Append("# end: ").Append(end).Append('\n');

        // Generated call ids are random; the golden file shows where one was generated.
        var text = System.Text.RegularExpressions.Regex.Replace(transcript.ToString(), "call_[A-Za-z0-9]{24}", "call_<generated>");
        Golden.AssertMatches($"openai-chat/{name}.client.sse", text);
    }

    [Fact]
    public void Passthrough_ContentChunkIsTheSameBytes()
    {
        var request = Parse("""{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}""");
        var processor = new OpenAIChatStreamProcessor(request, false, Estimator);
        var chunk = Encoding.UTF8.GetBytes("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"x_vendor":{"kept":true}}""");
        var output = new List<SseFrame>();

        var step = processor.Process(chunk, output);

        Assert.Equal(StreamStep.Content, step);
        Assert.True(chunk.AsSpan().SequenceEqual(Assert.Single(output).Data.Span));
    }

    [Theory]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""", "Preamble")]
    [InlineData("""{"id":"c","choices":[]}""", "Preamble")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"hm"}}]}""", "Content")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"reasoning":"hm"}}]}""", "Content")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"refusal":"no"}}]}""", "Content")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""", "Content")]
    [InlineData("""{"error":{"message":"boom","type":"server_error"}}""", "UpstreamError")]
    [InlineData("""not json""", "Malformed")]
    [InlineData("""{"id":"c","choices":[]} trailing""", "Malformed")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0}]}}],"choices":[]}""", "Malformed")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x":1,"x":2}""", "Malformed")]
    [InlineData("""{"id":"c","choices":[{"index":0,"index":1,"delta":{"tool_calls":[{"index":0,"id":"x","function":{"name":"f"}}]}}]}""", "Malformed")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{}}],"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}}""", "Preamble")]
    public void Process_ClassifiesContentAndPreamble(string chunk, string expected)
    {
        var processor = new OpenAIChatStreamProcessor(Parse("""{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}"""), false, Estimator);

        Assert.Equal(expected, processor.Process(Encoding.UTF8.GetBytes(chunk), []).ToString());
    }

    [Fact]
    public void Process_SecondOfTwoChoicesNotSeenYet_FirstFinishIsSentAtOnce()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoices), false, Estimator);
        var first = Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}""");

        Assert.Equal(StreamStep.Content, processor.Process(Chunk("""{"index":0,"delta":{"content":"a"},"finish_reason":null}"""), []));
        var output = new List<SseFrame>();
        Assert.Equal(StreamStep.Content, processor.Process(first, output));

        Assert.True(first.AsSpan().SequenceEqual(Assert.Single(output).Data.Span));
        Assert.False(processor.AllChoicesFinished);
    }

    [Fact]
    public void Process_NGreaterThanOne_LastChoicesFinishCarriesUsage()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoices), false, Estimator);
        Run(processor, Chunk("""{"index":0,"delta":{"content":"a"},"finish_reason":null}"""), Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}"""));
        var held = new List<SseFrame>();

        processor.Process(Chunk("""{"index":1,"delta":{"content":"b"},"finish_reason":null}"""), held);
        processor.Process(Chunk("""{"index":1,"delta":{},"finish_reason":"length"}"""), held);
        var end = new List<SseFrame>();
        var result = processor.Finish(end);

        Assert.Single(held); // the content chunk; the finish waits for usage
        Assert.True(processor.AllChoicesFinished);
        Assert.Equal(StreamEnd.Completed, result);
        var last = Json(Assert.Single(end));
        Assert.Equal(1, last["choices"]![0]!["index"]!.GetValue<int>());
        Assert.Equal("length", last["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.True(last["usage"]!["completion_tokens"]!.GetValue<int>() > 0);
        Assert.Equal(new FinishReason("length"), processor.LastFinishReason);
        Assert.True(processor.Usage!.Value.Estimated);
    }

    [Fact]
    public void Process_TwoChoicesFinishInOneChunk_BothFinishedAndUsageRidesOnIt()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoices), false, Estimator);
        Run(processor, Chunk("""{"index":0,"delta":{"content":"a"},"finish_reason":null},{"index":1,"delta":{"content":"b"},"finish_reason":null}"""));
        var output = new List<SseFrame>();

        var step = processor.Process(Chunk("""{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"length"}""", usage: """{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}"""), output);
        var end = new List<SseFrame>();
        var result = processor.Finish(end);

        Assert.Equal(StreamStep.Content, step);
        Assert.Empty(output);
        Assert.Equal(StreamEnd.Completed, result);
        var last = Json(Assert.Single(end));
        Assert.Equal(["stop", "length"], last["choices"]!.AsArray().Select(c => c!["finish_reason"]!.GetValue<string>()));
        Assert.Equal("""{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}""", last["usage"]!.ToJsonString());
        Assert.Equal(new TokenUsage(3, 2, Estimated: false), processor.Usage);
    }

    [Fact]
    public void Process_TwoChoicesFinishInOneChunkWithUsageRequested_SentAtOnceThenUsageChunk()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoicesWithUsage), false, Estimator);
        var output = new List<SseFrame>();

        processor.Process(Chunk("""{"index":0,"delta":{"content":"a"},"finish_reason":"stop"},{"index":1,"delta":{"content":"b"},"finish_reason":"stop"}"""), output);
        processor.Process(Encoding.UTF8.GetBytes("""{"id":"c","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"""), output);
        var result = processor.Finish(output);

        Assert.Equal(StreamEnd.Completed, result);
        Assert.Equal(2, output.Count);
        Assert.Null(Json(output[0])["usage"]);
        Assert.True(Json(output[0]).AsObject().ContainsKey("usage"));
        Assert.Equal("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""", Text(output[1]));
    }

    // A choice whose finish_reason the upstream repeats must not count as a second
    // finished choice (the other choice would then look complete and the stream would not be marked interrupted).
    [Fact]
    public void Finish_RepeatedFinishOfOneChoice_DoesNotCompleteTheOther()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoices), false, Estimator);
        Run(processor,
            Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}"""),
            Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}"""),
            Chunk("""{"index":1,"delta":{"content":"b"},"finish_reason":null}"""));

        Assert.False(processor.AllChoicesFinished);
        Assert.Equal(StreamEnd.Interrupted, processor.Finish([]));
    }

    [Fact]
    public void Finish_UpstreamAnsweredFewerChoicesThanN_IsCompleted()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoices), false, Estimator);
        Run(processor, Chunk("""{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}"""));

        Assert.False(processor.AllChoicesFinished);
        Assert.Equal(StreamEnd.Completed, processor.Finish([]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Finish_StreamEndedWithNoChoices_IsInterruptedWithNothingAdded(bool wantsUsage)
    {
        var processor = new OpenAIChatStreamProcessor(Parse(wantsUsage ? OneChoiceWithUsage : OneChoice), false, Estimator);
        Run(processor, Encoding.UTF8.GetBytes("""{"id":"c","choices":[]}"""), Encoding.UTF8.GetBytes("""{"id":"c","choices":[]}"""));
        var end = new List<SseFrame>();

        Assert.Equal(StreamEnd.Interrupted, processor.Finish(end));
        Assert.Empty(end);
        Assert.False(processor.AllChoicesFinished);
        Assert.Null(processor.LastFinishReason);
    }

    [Fact]
    public void Process_InterleavedParallelToolCalls_ContinuedByTheirIndex()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoice), false, Estimator);
        var output = new List<SseFrame>();

        // A 1-based upstream: its calls 1 and 2 are the client's 0 and 1.
        foreach (var call in new[]
        {
            """{"index":1,"id":"call_read","type":"function","function":{"name":"read","arguments":""}}""",
            """{"index":2,"id":"call_write","type":"function","function":{"name":"write","arguments":"{\"q\":"}}""",
            """{"index":1,"function":{"arguments":"{\"p\":"}}""",
            """{"index":2,"function":{"arguments":"2}"}}""",
            """{"index":1,"function":{"arguments":"1}"}}""",
        })
        {
            Assert.Equal(StreamStep.Content, processor.Process(Chunk($$"""{"index":0,"delta":{"tool_calls":[{{call}}]},"finish_reason":null}"""), output));
        }

        processor.Process(Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}"""), output);
        processor.Finish(output);

        var calls = output.Take(5).Select(f => Json(f)["choices"]![0]!["delta"]!["tool_calls"]!.AsArray().Single()!.ToJsonString(Relaxed)).ToList();
        Assert.Equal(
        [
            """{"index":0,"id":"call_read","type":"function","function":{"name":"read","arguments":""}}""",
            """{"index":1,"id":"call_write","type":"function","function":{"name":"write","arguments":"{\"q\":"}}""",
            """{"index":0,"function":{"arguments":"{\"p\":"}}""",
            """{"index":1,"function":{"arguments":"2}"}}""",
            """{"index":0,"function":{"arguments":"1}"}}""",
        ], calls);
        Assert.Equal("tool_calls", Json(output[5])["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(FinishReason.ToolCalls, processor.LastFinishReason);
        Assert.Equal(6, output.Count);
    }

    // What one chunk needed (a rewrite, a finish, an error) must not leak into the next: a plain chunk
    // after it is forwarded as the same bytes (spaces kept, which a rewrite would drop).
    [Theory]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"x","function":{"name":"f","arguments":""}}]}}]}""")]
    [InlineData("""{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"1 <b> 2"}}]}""")]
    [InlineData("""{"id":"c","choices":[{"index":1,"delta":{},"finish_reason":"stop"}]}""")]
    [InlineData("""{"error":{"message":"transient"}}""")]
    public void Process_ChunkAfterOneThatNeededWork_IsForwardedUnchanged(string before)
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoicesWithThinking), true, Estimator);
        var plain = Encoding.UTF8.GetBytes("""{ "id": "c", "choices": [ { "index": 0, "delta": { "content": "plain" }, "finish_reason": null } ] }""");
        processor.Process(Encoding.UTF8.GetBytes(before), []);
        var output = new List<SseFrame>();

        var step = processor.Process(plain, output);

        Assert.Equal(StreamStep.Content, step);
        Assert.Equal(Encoding.UTF8.GetString(plain), Text(Assert.Single(output)));
    }

    [Fact]
    public void Process_PreambleAfterContent_IsStillPreamble()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoice), false, Estimator);

        Assert.Equal(StreamStep.Content, processor.Process(Chunk("""{"index":0,"delta":{"content":"a"},"finish_reason":null}"""), []));
        Assert.Equal(StreamStep.Preamble, processor.Process(Chunk("""{"index":0,"delta":{"role":"assistant"},"finish_reason":null}"""), []));
    }

    [Fact]
    public void Finish_UsageChunk_UsesTheFirstChunksIdentityNotLaterOnes()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoiceWithUsage), false, Estimator);
        Run(processor,
            Encoding.UTF8.GetBytes("""{"object":"chat.completion.chunk","choices":[]}"""),
            Encoding.UTF8.GetBytes("""{"id":"first","created":11,"model":"m1","system_fingerprint":"fp1","choices":[{"index":0,"delta":{"content":"a"}}]}"""),
            Encoding.UTF8.GetBytes("""{"id":"second","created":22,"model":"m2","system_fingerprint":"fp2","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"""));
        var end = new List<SseFrame>();

        processor.Finish(end);

        var usage = Json(Assert.Single(end));
        Assert.Equal(("first", 11, "m1", "fp1"), (usage["id"]!.GetValue<string>(), usage["created"]!.GetValue<int>(), usage["model"]!.GetValue<string>(), usage["system_fingerprint"]!.GetValue<string>()));
        Assert.Empty(usage["choices"]!.AsArray());
    }

    [Fact]
    public void Finish_UpstreamSentNoIdentity_UsageChunkHasTheGatewaysDefaults()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoiceWithUsage), false, Estimator);
        Run(processor, Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}"""));
        var end = new List<SseFrame>();

        processor.Finish(end);

        var text = Text(Assert.Single(end));
        Assert.StartsWith("""{"id":"chatcmpl-gateway","object":"chat.completion.chunk","created":0,"model":"","choices":[],"usage":{"prompt_tokens":""", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"choices":[]}""", """{"choices":[],"usage":null}""")]
    [InlineData("""{}""", """{"usage":null}""")]
    [InlineData("""{ }  """, """{"usage":null}""")]
    [InlineData("""{"choices":[] }""", """{"choices":[],"usage":null}""")]
    public void Process_UsageRequested_ChunksWithoutUsageGetNull(string chunk, string expected)
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoiceWithUsage), false, Estimator);
        var output = new List<SseFrame>();

        processor.Process(Encoding.UTF8.GetBytes(chunk), output);

        Assert.Equal(expected, Text(Assert.Single(output)));
    }

    [Fact]
    public void Process_UsageNotRequested_UpstreamUsageMovesToTheFinishChunk()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoice), false, Estimator);
        var output = new List<SseFrame>();

        processor.Process(Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}"""), output);
        processor.Process(Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"""), output);
        processor.Finish(output);

        Assert.Equal(
        [
            """{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}]}""",
            """{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}""",
        ], output.Select(Text));
    }

    // An upstream that answers two choices where one was asked for, both finishing in one chunk: the
    // answer is complete, so that chunk waits for the usage and comes with it, on either path.
    [Theory]
    [InlineData("""{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"stop"}""")]
    [InlineData("""{"index":0,"delta":{"tool_calls":[]},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"stop"}""")]
    public void Process_TwoChoicesWhereOneWasAsked_FinishingTogether_CarryTheUsage(string choices)
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoice), false, Estimator);
        var held = new List<SseFrame>();

        processor.Process(Chunk(choices), held);
        var end = new List<SseFrame>();
        Assert.Equal(StreamEnd.Completed, processor.Finish(end));

        Assert.Empty(held);
        var last = Json(Assert.Single(end));
        Assert.Equal(2, last["choices"]!.AsArray().Count);
        Assert.True(last["usage"]!["prompt_tokens"]!.GetValue<int>() > 0);
    }

    // A finish_reason repeated for a choice that already finished does not take the place of the held finish chunk.
    [Fact]
    public void Process_RepeatedFinish_IsForwarded_AndTheHeldFinishStillComesWithUsage()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoice), false, Estimator);
        var output = new List<SseFrame>();

        processor.Process(Chunk("""{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}"""), output);
        processor.Process(Chunk("""{"index":0,"delta":{},"finish_reason":"length"}"""), output);
        processor.Finish(output);

        Assert.Equal(2, output.Count);
        Assert.Equal("length", Json(output[0])["choices"]![0]!["finish_reason"]!.GetValue<string>());
        var last = Json(output[1]);
        Assert.Equal("a", last["choices"]![0]!["delta"]!["content"]!.GetValue<string>());
        Assert.NotNull(last["usage"]);
    }

    // Chunks that need no change keep their bytes (spacing, escapes), also a plain finish and text inside
    // an open thinking block, and also after tool_calls that brought no call.
    [Fact]
    public void Process_ChunksNeedingNoChange_KeepTheirBytes()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoicesWithThinking), true, Estimator);
        Run(processor, Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"delta":{"content":"<thinking>plan"}},{"index":1,"delta":{"tool_calls":[]}}]}"""));
        string[] plain =
        [
            """{ "id": "c", "choices": [ { "index": 0, "delta": { "content": "caf\u00e9" }, "finish_reason": null } ] }""",
            """{ "id": "c", "choices": [ { "index": 1, "delta": { }, "finish_reason": "stop" } ] }""",
        ];

        foreach (var chunk in plain)
        {
            var output = new List<SseFrame>();
            Assert.Equal(StreamStep.Content, processor.Process(Encoding.UTF8.GetBytes(chunk), output));
            Assert.Equal(chunk, Text(Assert.Single(output)));
        }
    }

    // tool_calls that normalize to nothing are dropped from the delta, and a choice without a call keeps "stop".
    [Fact]
    public void Process_ToolCallsOfNothing_AreDropped_AndStopStaysStop()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoices), false, Estimator);
        var output = new List<SseFrame>();

        processor.Process(Chunk("""{"index":0,"delta":{"tool_calls":[]},"finish_reason":"stop"}"""), output);

        var choice = Json(Assert.Single(output))["choices"]![0]!;
        Assert.Null(choice["delta"]!["tool_calls"]);
        Assert.Equal("stop", choice["finish_reason"]!.GetValue<string>());
    }

    // A thinking block left open at the finish is closed after the finish chunk's own content.
    [Fact]
    public void Process_OpenThinkingAtTheFinish_IsClosedAfterTheFinishChunksContent()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(TwoChoicesWithThinking), true, Estimator);
        var output = new List<SseFrame>();

        processor.Process(Chunk("""{"index":0,"delta":{"content":"<thinking>plan"}}"""), output);
        processor.Process(Chunk("""{"index":0,"delta":{"content":" more","role":"assistant"},"finish_reason":"stop"}"""), output);

        var delta = Json(output[1])["choices"]![0]!["delta"]!;
        Assert.Equal(" more</think>", delta["content"]!.GetValue<string>());
        Assert.Equal("assistant", delta["role"]!.GetValue<string>());
    }

    // Keys are matched as written: "Choices" beside "choices" is another key, kept, not a duplicate.
    [Fact]
    public void Process_KeysDifferingInCase_AreDifferentKeys()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoice), false, Estimator);
        var output = new List<SseFrame>();

        Assert.Equal(StreamStep.Content, processor.Process(Encoding.UTF8.GetBytes("""{"id":"c","Choices":1,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_x","type":"function","function":{"name":"f","arguments":""}}]}}]}"""), output));

        var chunk = Json(Assert.Single(output));
        Assert.Equal(1, chunk["Choices"]!.GetValue<int>());
        Assert.Equal("f", chunk["choices"]![0]!["delta"]!["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Finish_UpstreamSentAModelButNoId_TheUsageChunkCarriesTheModel()
    {
        var processor = new OpenAIChatStreamProcessor(Parse(OneChoiceWithUsage), false, Estimator);
        Run(processor,
            Encoding.UTF8.GetBytes("""{"model":"m1","created":7,"choices":[{"index":0,"delta":{"content":"a"}}]}"""),
            Encoding.UTF8.GetBytes("""{"model":"m2","system_fingerprint":"fp","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"""));
        var end = new List<SseFrame>();

        processor.Finish(end);

        var usage = Json(Assert.Single(end));
        Assert.Equal(("chatcmpl-gateway", 7, "m1", "fp"), (usage["id"]!.GetValue<string>(), usage["created"]!.GetValue<int>(), usage["model"]!.GetValue<string>(), usage["system_fingerprint"]!.GetValue<string>()));
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string OneChoice = """{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}""";
    private const string OneChoiceWithUsage = """{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}""";
    private const string TwoChoices = """{"model":"m","stream":true,"n":2,"messages":[{"role":"user","content":"x"}]}""";
    private const string TwoChoicesWithUsage = """{"model":"m","stream":true,"n":2,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}""";
    private const string TwoChoicesWithThinking = """{"model":"m","stream":true,"n":2,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"x"}]}""";

    private static byte[] Chunk(string choices, string? usage = null) =>
        Encoding.UTF8.GetBytes($$"""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{choices}}]{{(usage is null ? "" : ",\"usage\":" + usage)}}}""");

    private static void Run(OpenAIChatStreamProcessor processor, params byte[][] chunks)
    {
        foreach (var chunk in chunks)
        {
            Assert.NotEqual(StreamStep.Malformed, processor.Process(chunk, []));
        }
    }

    private static string Text(SseFrame frame) => Encoding.UTF8.GetString(frame.Data.Span);

    private static JsonNode Json(SseFrame frame) => JsonNode.Parse(frame.Data.Span)!;

    private static void Flush(List<SseFrame> output, StringBuilder transcript)
    {
        foreach (var payload in output)
        {
            transcript.Append("data: ").Append(Encoding.UTF8.GetString(payload.Data.Span)).Append('\n');
        }

        output.Clear();
    }

    internal static ChatRequest Parse(string json)
    {
        Assert.True(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes(json), false, out var request, out var error), error?.Message);
        return request!;
    }
}
