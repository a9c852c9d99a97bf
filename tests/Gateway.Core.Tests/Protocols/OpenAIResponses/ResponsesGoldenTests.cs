using System.Text;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIResponses;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Gateway.Tests.Protocols.Anthropic;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIResponses;

/// <summary>
/// OpenAI Responses clients (fixtures/responses-in): a Responses request becomes an OpenAI Chat or an
/// Anthropic body; OpenAI chunks and Anthropic events become Responses events; a completion becomes a response.
/// </summary>
public sealed partial class ResponsesGoldenTests
{
    private const string Simple = """{"model":"gw-agent","stream":true,"input":"hi","tools":[{"type":"namespace","name":"multi_agent_v1","tools":[{"type":"function","name":"spawn_agent","parameters":{"type":"object"}}]},{"type":"function","name":"exec_command","parameters":{"type":"object"}}]}""";

    [Theory]
    [InlineData("request-codex-turn", ProviderKind.OpenAI)]
    [InlineData("request-codex-turn", ProviderKind.Anthropic)]
    public void Request_MatchesGolden(string name, ProviderKind kind)
    {
        var request = Parse(Golden.Read($"responses-in/{name}.json").Replace("{hash:p}", Opaque.ProviderHash("p"), StringComparison.Ordinal));

        var body = Codec(request, Target(kind)).UpstreamBody(request.Stream);

        Golden.AssertMatches($"responses-in/{name}.{kind.ToString().ToLowerInvariant()}.json", Encoding.UTF8.GetString(body.Span) + "\n");
    }

    [Theory]
    [InlineData("stream-openai-tools", ProviderKind.OpenAI)]
    [InlineData("stream-interrupted", ProviderKind.OpenAI)]
    [InlineData("stream-length", ProviderKind.OpenAI)]
    [InlineData("stream-anthropic-thinking", ProviderKind.Anthropic)]
    public async Task Stream_MatchesGolden(string name, ProviderKind kind)
    {
        var request = Parse(Simple);
        var codec = Codec(request, Target(kind));
        var frames = new List<SseFrame>();
        var transcript = new StringBuilder();
        var upstream = new MemoryStream(Encoding.UTF8.GetBytes(Golden.Read($"responses-in/{name}.upstream.sse")));
        using var body = new ReadActivityStream(upstream, TimeProvider.System);
        await foreach (var e in SseEventReader.ReadAsync(body, CancellationToken.None))
        {
            if (e.IsDone)
            {
                break;
            }

            transcript.Append("# ").Append(codec.OnUpstreamEvent(e, frames)).Append('\n');
            AnthropicInboundGoldenTests.Flush(frames, transcript);
        }

        transcript.Append("# end: ").Append(codec.OnUpstreamEnd(frames, null)).Append('\n');
        AnthropicInboundGoldenTests.Flush(frames, transcript);

        Golden.AssertMatches($"responses-in/{name}.client.sse", Scrub(transcript.ToString()));
    }

    [Fact]
    public void Whole_MatchesGolden()
    {
        var request = Parse(Simple.Replace("\"stream\":true,", string.Empty, StringComparison.Ordinal));
        var codec = Codec(request, Target(ProviderKind.OpenAI));

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(Golden.Read("responses-in/whole-openai.upstream.json")), out var answer));

        Golden.AssertMatches("responses-in/whole-openai.client.json", Scrub(Encoding.UTF8.GetString(answer.Span)) + "\n");
    }

    internal static ChatRequest Parse(string json)
    {
        Assert.True(ResponsesRequestParser.TryParse(Encoding.UTF8.GetBytes(json), false, out var request, out var error), error?.Message);
        request!.Conversation = ResponsesRequestReader.Read(request);
        return request;
    }

    private static RouteTarget Target(ProviderKind kind) =>
        new(new Provider("p", new ProviderOptions { Kind = kind, BaseUrl = "http://upstream.test/v1" }), "upstream-model", 1, null);

    private static IAttemptCodec Codec(ChatRequest request, RouteTarget target) => Gateway.Tests.Pipeline.TestCodecs.Selector().For(request)(target);

    // Ids and times the gateway generates; the golden file shows where one was.
    private static string Scrub(string text) => CreatedAt().Replace(GeneratedId().Replace(text, "$1_gw<generated>"), "\"created_at\":<now>");

    [GeneratedRegex("(resp|msg|rs|fc|ctc)_gw[0-9a-f]{24}")]
    private static partial Regex GeneratedId();

    [GeneratedRegex("\"created_at\":[0-9]+")]
    private static partial Regex CreatedAt();
}
