using System.Text;
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
    public void Process_ClassifiesContentAndPreamble(string chunk, string expected)
    {
        var processor = new OpenAIChatStreamProcessor(Parse("""{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}"""), false, Estimator);

        Assert.Equal(expected, processor.Process(Encoding.UTF8.GetBytes(chunk), []).ToString());
    }

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
