using System.Text;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.Anthropic;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>
/// Anthropic Messages clients on OpenAI-kind upstreams (fixtures/anthropic-in): the Anthropic request
/// becomes an OpenAI body, OpenAI chunks become Anthropic events, a completion becomes a message.
/// </summary>
public sealed partial class AnthropicInboundGoldenTests
{
    private const string Simple = """{"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    private static readonly TokenEstimator Estimator = new();

    [Theory]
    [InlineData("request-agent-turn", ThinkingMode.Passthrough)]
    [InlineData("request-agent-turn", ThinkingMode.Native)]
    [InlineData("request-explicit-effort", ThinkingMode.Passthrough)]
    [InlineData("request-explicit-effort", ThinkingMode.Off)]
    [InlineData("request-explicit-effort", ThinkingMode.PromptTags)]
    public void Request_MatchesGolden(string name, ThinkingMode thinking)
    {
        var request = Parse(Golden.Read($"anthropic-in/{name}.json").Replace("{hash:p}", Opaque.ProviderHash("p"), StringComparison.Ordinal));
        var target = Target(thinking);

        var body = Codec(request, target).UpstreamBody(request.Stream);

        Golden.AssertMatches($"anthropic-in/{name}.openai-{thinking.ToString().ToLowerInvariant()}.json", Encoding.UTF8.GetString(body.Span) + "\n");
    }

    [Theory]
    [InlineData("stream-text")]
    [InlineData("stream-reasoning-tools")]
    [InlineData("stream-interrupted")]
    [InlineData("stream-length")]
    [InlineData("stream-announced-calls")]
    public async Task Stream_MatchesGolden(string name)
    {
        var request = Parse(Simple);
        var codec = Codec(request, Target(ThinkingMode.Passthrough));
        var frames = new List<SseFrame>();
        var transcript = new StringBuilder();
        var upstream = new MemoryStream(Encoding.UTF8.GetBytes(Golden.Read($"anthropic-in/{name}.upstream.sse")));
        using var body = new ReadActivityStream(upstream, TimeProvider.System);
        await foreach (var e in SseEventReader.ReadAsync(body, CancellationToken.None))
        {
            if (e.IsDone)
            {
                break;
            }

            transcript.Append("# ").Append(codec.OnUpstreamEvent(e, frames)).Append('\n');
            Flush(frames, transcript);
        }

        transcript.Append("# end: ").Append(codec.OnUpstreamEnd(frames, null)).Append('\n');
        Flush(frames, transcript);

        Golden.AssertMatches($"anthropic-in/{name}.client.sse", Scrub(transcript.ToString()));
    }

    [Theory]
    [InlineData("whole-tools")]
    [InlineData("whole-content-filter")]
    public void Whole_MatchesGolden(string name)
    {
        var request = Parse(Simple.Replace("\"stream\":true,", string.Empty, StringComparison.Ordinal));
        var codec = Codec(request, Target(ThinkingMode.Passthrough));

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(Golden.Read($"anthropic-in/{name}.upstream.json")), out var answer));

        Golden.AssertMatches($"anthropic-in/{name}.client.json", Scrub(Encoding.UTF8.GetString(answer.Span)) + "\n");
    }

    [Fact]
    public void ToolInput_EmptyArgumentsBecomeAnObjectNeverAString()
    {
        // ecosystem.md §4 item 6: "" arguments must never become a string input.
        Assert.Equal("{}", ToolInput.AsObject(""));
        Assert.Equal("{}", ToolInput.AsObject("  "));
        Assert.Equal("""{"a":1}""", ToolInput.AsObject("""{"a":1}"""));
        Assert.Equal("""{"value":[1,2]}""", ToolInput.AsObject("[1,2]"));
        Assert.Equal("""{"arguments":"{\u0022a\u0022:"}""", ToolInput.AsObject("""{"a":"""));
    }

    internal static ChatRequest Parse(string json)
    {
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(json), false, false, out var request, out var error), error?.Message);
        request!.Conversation = AnthropicRequestReader.Read(request);
        return request;
    }

    internal static RouteTarget Target(ThinkingMode thinking, ProviderKind kind = ProviderKind.OpenAI) =>
        new(new Provider("p", new ProviderOptions { Kind = kind, BaseUrl = "http://upstream.test/v1", Thinking = thinking }), "upstream-model", 1, null);

    internal static IAttemptCodec Codec(ChatRequest request, RouteTarget target) => Gateway.Tests.Pipeline.TestCodecs.Selector().For(request)(target);

    internal static void Flush(List<SseFrame> frames, StringBuilder transcript)
    {
        foreach (var frame in frames)
        {
            if (frame.EventName is { } name)
            {
                transcript.Append("event: ").Append(Encoding.UTF8.GetString(name)).Append('\n');
            }

            transcript.Append("data: ").Append(Encoding.UTF8.GetString(frame.Data.Span)).Append('\n');
        }

        frames.Clear();
    }

    // Generated message ids are random; the golden file shows where one was generated.
    internal static string Scrub(string text) => MessageId().Replace(text, "msg_<generated>");

    [GeneratedRegex("msg_[0-9a-f]{24}")]
    private static partial Regex MessageId();
}
