using System.Text;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>A stream request answered with a whole completion still streams to the client.</summary>
public sealed class CompletionToChunksTests
{
    [Fact]
    public void TryConvert_TwoChoicesAndUsage_GiveDeltaAndFinishChunksThenUsage()
    {
        var completion = """
            {"id":"cmpl-1","object":"chat.completion","created":5,"model":"m","choices":[
              {"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"},
              {"message":{"role":"assistant","content":null,"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}},{"id":"b","function":{"name":"g","arguments":"{}"}}]}},
              "not a choice"
            ],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}
            """;

        var chunks = Convert(completion);

        Assert.Equal(
        [
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}""",
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":1,"delta":{"role":"assistant","content":null,"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"},"index":0},{"id":"b","function":{"name":"g","arguments":"{}"},"index":1}]},"finish_reason":null}]}""",
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":1,"delta":{},"finish_reason":"stop"}]}""",
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""",
        ], chunks);
    }

    [Fact]
    public void TryConvert_ChoiceWithoutMessageOrUsage_GivesAnEmptyDeltaAndNoUsageChunk()
    {
        var chunks = Convert("""{"choices":[{"index":3,"finish_reason":"length"}]}""");

        Assert.Equal(
        [
            """{"id":null,"object":"chat.completion.chunk","created":null,"model":null,"choices":[{"index":3,"delta":{},"finish_reason":null}]}""",
            """{"id":null,"object":"chat.completion.chunk","created":null,"model":null,"choices":[{"index":3,"delta":{},"finish_reason":"length"}]}""",
        ], chunks);
    }

    [Theory]
    [InlineData("""{"error":{"message":"x"},"choices":[]}""")]
    [InlineData("""{"id":"c"}""")]
    [InlineData("""{"choices":{}}""")]
    [InlineData("""[]""")]
    [InlineData("""not json""")]
    public void TryConvert_NotACompletion_IsNull(string body)
    {
        Assert.Null(CompletionToChunks.TryConvert(Encoding.UTF8.GetBytes(body)));
    }

    private static List<string> Convert(string completion) =>
        [.. CompletionToChunks.TryConvert(Encoding.UTF8.GetBytes(completion))!.Select(c => Encoding.UTF8.GetString(c.Span))];
}
