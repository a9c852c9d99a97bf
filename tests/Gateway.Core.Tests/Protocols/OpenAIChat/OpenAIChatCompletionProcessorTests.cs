using System.Text;
using System.Text.Json.Nodes;
using Gateway.Chat;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>Non-stream answers: the same rules as the stream path (SPEC §5 Tools, Usage, Thinking).</summary>
public sealed class OpenAIChatCompletionProcessorTests
{
    private static readonly TokenEstimator Estimator = new();

    private const string Plain = """{"model":"m","messages":[{"role":"user","content":"hello there"}]}""";
    private const string TwoChoices = """{"model":"m","n":2,"messages":[{"role":"user","content":"hello there"}]}""";

    [Fact]
    public void TryProcess_AnswerNeedingNoChange_KeepsItsBytes()
    {
        var body = Encoding.UTF8.GetBytes("""{ "id": "c", "choices": [ { "index": 0, "message": { "role": "assistant", "content": "hi" }, "finish_reason": "stop" } ], "usage": { "prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9 } }""");

        var (ok, answer, usage, finish) = Process(Plain, body);

        Assert.True(ok);
        Assert.Equal(Encoding.UTF8.GetString(body), answer);
        Assert.Equal(new TokenUsage(7, 2, Estimated: false), usage);
        Assert.Equal(FinishReason.Stop, finish);
    }

    [Fact]
    public void TryProcess_NGreaterThanOne_EachChoiceDerivedAndToolCallIdsUnique()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"id":"c","choices":[
              {"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_same","function":{"name":"read","arguments":{"path":"a"}}}]},"finish_reason":"stop"},
              {"index":1,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_same","type":"function","function":{"name":"read","arguments":"{}"}}]},"finish_reason":"length"}
            ],"usage":{"prompt_tokens":7,"completion_tokens":20,"total_tokens":27}}
            """);

        var (ok, answer, _, finish) = Process(TwoChoices, body);

        Assert.True(ok);
        var choices = JsonNode.Parse(answer)!["choices"]!.AsArray();
        Assert.Equal(["tool_calls", "length"], choices.Select(c => c!["finish_reason"]!.GetValue<string>()));
        var first = choices[0]!["message"]!["tool_calls"]![0]!;
        var second = choices[1]!["message"]!["tool_calls"]![0]!;
        Assert.Equal(("call_same", "function", """{"path":"a"}"""), (first["id"]!.GetValue<string>(), first["type"]!.GetValue<string>(), first["function"]!["arguments"]!.GetValue<string>()));
        Assert.Matches("^call_[A-Za-z0-9]{24}$", second["id"]!.GetValue<string>());
        Assert.Equal("{}", second["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal(FinishReason.Length, finish);
    }

    // Two choices that each need their finish_reason fixed: the second must not undo the first's verdict.
    [Fact]
    public void TryProcess_TwoChoicesEachNeedingAFinishReason_BothGetOne()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"message":{"content":"a"},"finish_reason":null},{"index":1,"message":{"content":"b"}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""");

        var (ok, answer, _, _) = Process(TwoChoices, body);

        Assert.True(ok);
        Assert.Equal(["stop", "stop"], JsonNode.Parse(answer)!["choices"]!.AsArray().Select(c => c!["finish_reason"]!.GetValue<string>()));
    }

    // Each choice gets its own finish_reason; the answer's (for the log) is the last choice's, as fixed.
    [Fact]
    public void TryProcess_LastChoiceWithoutAFinishReason_GetsStop_AndTheAnswersIsThatOne()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"message":{"content":"a"},"finish_reason":"length"},{"index":1,"message":{"content":"b"},"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""");

        var (ok, answer, _, finish) = Process(TwoChoices, body);

        Assert.True(ok);
        Assert.Equal(["length", "stop"], JsonNode.Parse(answer)!["choices"]!.AsArray().Select(c => c!["finish_reason"]!.GetValue<string>()));
        Assert.Equal(FinishReason.Stop, finish);
    }

    [Theory]
    [InlineData("""{"index":0,"message":{"content":"hi"},"finish_reason":null}""", "stop")]
    [InlineData("""{"index":0,"message":{"content":"hi"}}""", "stop")]
    [InlineData("""{"index":0,"message":{"content":"hi"},"finish_reason":"tool_calls"}""", "stop")]
    [InlineData("""{"index":0,"message":{"content":"hi"},"finish_reason":"content_filter"}""", "content_filter")]
    [InlineData("""{"index":0,"message":{"content":"hi"},"finish_reason":"end_turn"}""", "end_turn")]
    public void TryProcess_FinishReason_FollowsWhatWasEmitted(string choice, string expected)
    {
        var (ok, answer, _, finish) = Process(Plain, Encoding.UTF8.GetBytes($$$"""{"id":"c","choices":[{{{choice}}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""));

        Assert.True(ok);
        Assert.Equal(expected, JsonNode.Parse(answer)!["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(new FinishReason(expected), finish);
    }

    [Fact]
    public void TryProcess_NoUsage_CountsAndAddsIt()
    {
        var (ok, answer, usage, _) = Process(Plain, Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"message":{"content":"one two three four"},"finish_reason":"stop"}]}"""));

        Assert.True(ok);
        Assert.True(usage.Estimated);
        Assert.True(usage.PromptTokens > 0 && usage.CompletionTokens > 0, $"{usage}");
        var reported = JsonNode.Parse(answer)!["usage"]!;
        Assert.Equal(
            (usage.PromptTokens, usage.CompletionTokens, usage.PromptTokens + usage.CompletionTokens),
            (reported["prompt_tokens"]!.GetValue<int>(), reported["completion_tokens"]!.GetValue<int>(), reported["total_tokens"]!.GetValue<int>()));
    }

    [Fact]
    public void TryProcess_UsageWithToolCalls_IsTheUpstreams()
    {
        var (ok, _, usage, _) = Process(Plain, Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"message":{"tool_calls":[{"id":"x","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":11,"completion_tokens":5,"total_tokens":16}}"""));

        Assert.True(ok);
        Assert.Equal(new TokenUsage(11, 5, Estimated: false), usage);
    }

    [Fact]
    public void TryProcess_LegacyFunctions_AnswerAsFunctionCall()
    {
        const string legacy = """{"model":"m","functions":[{"name":"read","parameters":{"type":"object"}}],"messages":[{"role":"user","content":"x"}]}""";

        var (ok, answer, _, finish) = Process(legacy, Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"read","arguments":"{\"p\":1}"}}]},"finish_reason":"tool_calls"}]}"""));

        Assert.True(ok);
        var message = JsonNode.Parse(answer)!["choices"]![0]!["message"]!.AsObject();
        Assert.False(message.ContainsKey("tool_calls"));
        Assert.Equal(("read", """{"p":1}"""), (message["function_call"]!["name"]!.GetValue<string>(), message["function_call"]!["arguments"]!.GetValue<string>()));
        Assert.Equal(FinishReason.FunctionCall, finish);
    }

    [Fact]
    public void TryProcess_CustomToolCallWithoutType_IsTypedCustom()
    {
        var (ok, answer, _, _) = Process(Plain, Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"message":{"tool_calls":[{"id":"c1","custom":{"name":"patch","input":"x"}}]},"finish_reason":"stop"}]}"""));

        Assert.True(ok);
        Assert.Equal("custom", JsonNode.Parse(answer)!["choices"]![0]!["message"]!["tool_calls"]![0]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(true, "<think>plan</think>answer")]
    [InlineData(false, "<thinking>plan</thinking>answer")]
    public void TryProcess_ThinkingTags_RewrittenOnlyWhenAsked(bool rewrite, string expected)
    {
        var processor = new OpenAIChatCompletionProcessor(OpenAIChatStreamProcessorTests.Parse(Plain), rewrite, Estimator);

        Assert.True(processor.TryProcess(Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"message":{"content":"<thinking>plan</thinking>answer"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""), out var answer, out _, out _));
        Assert.Equal(expected, JsonNode.Parse(answer.Span)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"error":{"message":"boom"}}""")]
    [InlineData("""{"id":"c","choices":[]}""")]
    [InlineData("""{"id":"c"}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"choices":[{"index":0,"message":{"content":"a"},"finish_reason":null}],"choices":[]}""")]
    [InlineData("""{"choices":[{"index":0,"message":{"content":"a","content":"b"},"finish_reason":null}]}""")]
    public void TryProcess_NotACompletion_IsRefused(string body)
    {
        var (ok, _, _, _) = Process(Plain, Encoding.UTF8.GetBytes(body));

        Assert.False(ok);
    }

    private static (bool Ok, string Answer, TokenUsage Usage, FinishReason? Finish) Process(string request, byte[] body)
    {
        var processor = new OpenAIChatCompletionProcessor(OpenAIChatStreamProcessorTests.Parse(request), false, Estimator);
        var ok = processor.TryProcess(body, out var answer, out var usage, out var finish);
        return (ok, Encoding.UTF8.GetString(answer.Span), usage, finish);
    }
}
