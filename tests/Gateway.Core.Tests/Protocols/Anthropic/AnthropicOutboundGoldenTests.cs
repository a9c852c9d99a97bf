using System.Text;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Gateway.Tests.Pipeline;
using Gateway.Tests.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>
/// OpenAI Chat clients on Anthropic-kind upstreams (fixtures/anthropic-out): the OpenAI request becomes a
/// Messages body, Anthropic events become OpenAI chunks, a message becomes a completion.
/// </summary>
public sealed partial class AnthropicOutboundGoldenTests
{
    private const string Simple = """{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [InlineData("request-agent-history", ThinkingMode.Native, ThinkingStyle.Adaptive)]
    [InlineData("request-agent-history", ThinkingMode.Native, ThinkingStyle.Budget)]
    [InlineData("request-agent-history", ThinkingMode.Off, ThinkingStyle.Adaptive)]
    [InlineData("request-orphans", ThinkingMode.Native, ThinkingStyle.Adaptive)]
    [InlineData("request-reasoning", ThinkingMode.Native, ThinkingStyle.Adaptive)]
    [InlineData("request-reasoning", ThinkingMode.Native, ThinkingStyle.Budget)]
    [InlineData("request-reasoning", ThinkingMode.Passthrough, ThinkingStyle.Adaptive)]
    [InlineData("request-reasoning", ThinkingMode.Off, ThinkingStyle.Adaptive)]
    [InlineData("request-whitespace-ids", ThinkingMode.Native, ThinkingStyle.Adaptive)]
    public void Request_MatchesGolden(string name, ThinkingMode thinking, ThinkingStyle style)
    {
        var request = Parse(Golden.Read($"anthropic-out/{name}.json"));

        var body = Codec(request, Target(thinking, style)).UpstreamBody(request.Stream);

        Golden.AssertMatches($"anthropic-out/{name}.{thinking.ToString().ToLowerInvariant()}-{style.ToString().ToLowerInvariant()}.json", Encoding.UTF8.GetString(body.Span) + "\n");
    }

    [Theory]
    [InlineData("stream-thinking-tools")]
    [InlineData("stream-redacted-server-tools")]
    [InlineData("stream-error-mid")]
    [InlineData("stream-max-tokens")]
    public async Task Stream_MatchesGolden(string name)
    {
        var codec = Codec(Parse(Simple), Target(ThinkingMode.Native, ThinkingStyle.Adaptive));

        var transcript = await Transcripts.RunAsync(codec, Golden.Read($"anthropic-out/{name}.upstream.sse"));

        Golden.AssertMatches($"anthropic-out/{name}.client.sse", Scrub(transcript));
    }

    [Theory]
    [InlineData("whole-message")]
    [InlineData("whole-refusal")]
    public void Whole_MatchesGolden(string name)
    {
        var codec = Codec(Parse("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), Target(ThinkingMode.Native, ThinkingStyle.Adaptive));

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(Golden.Read($"anthropic-out/{name}.upstream.json")), out var answer));

        Golden.AssertMatches($"anthropic-out/{name}.client.json", Scrub(Encoding.UTF8.GetString(answer.Span)) + "\n");
    }

    internal static ChatRequest Parse(string json)
    {
        var request = OpenAIChatStreamProcessorTests.Parse(json);
        request.Conversation = OpenAIChatRequestReader.Read(request);
        return request;
    }

    internal static RouteTarget Target(ThinkingMode thinking, ThinkingStyle style) =>
        new(new Provider("claude", new ProviderOptions { Kind = ProviderKind.Anthropic, BaseUrl = "http://upstream.test/v1", ApiKey = "k", Thinking = thinking, ThinkingStyle = style }), "claude-x", 1, null);

    private static IAttemptCodec Codec(ChatRequest request, RouteTarget target) => TestCodecs.Selector().For(request)(target);

    private static string Scrub(string text) => Created().Replace(text, "\"created\":<now>");

    [GeneratedRegex("\"created\":[0-9]+")]
    private static partial Regex Created();
}
