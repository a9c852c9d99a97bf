using System.Text;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Gateway.Tests.Protocols.Anthropic;
using Gateway.Tests.Protocols.OpenAIResponses;
using Xunit;

namespace Gateway.Tests.Protocols.Gemini;

/// <summary>
/// Every client format on Gemini-kind upstreams (fixtures/gemini-out): OpenAI Chat, Anthropic and Responses
/// requests become generateContent bodies; Gemini streams and whole answers become each client's frames.
/// </summary>
public sealed partial class GeminiGoldenTests
{
    internal const string OpenAISimple = """{"model":"gw","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""";
    internal const string AnthropicSimple = """{"model":"gw","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    internal const string ResponsesSimple = """{"model":"gw","stream":true,"input":"hi"}""";

    [Theory]
    [InlineData("openai", "gemini-out/request-openai-history", ThinkingMode.Native, ThinkingStyle.Adaptive)]
    [InlineData("openai", "gemini-out/request-openai-history", ThinkingMode.Native, ThinkingStyle.Budget)]
    [InlineData("openai", "gemini-out/request-openai-history", ThinkingMode.Off, ThinkingStyle.Adaptive)]
    [InlineData("anthropic", "gemini-out/request-anthropic-turn", ThinkingMode.Native, ThinkingStyle.Adaptive)]
    [InlineData("anthropic", "anthropic-in/request-agent-turn", ThinkingMode.Native, ThinkingStyle.Budget)]
    [InlineData("responses", "responses-in/request-codex-turn", ThinkingMode.Native, ThinkingStyle.Adaptive)]
    public void Request_MatchesGolden(string format, string name, ThinkingMode thinking, ThinkingStyle style)
    {
        var request = Parse(format, Golden.Read(name + ".json"));

        var body = Codec(request, Target(thinking, style)).UpstreamBody(request.Stream);

        var file = Path.GetFileName(name);
        Golden.AssertMatches($"gemini-out/{file}.gemini-{thinking.ToString().ToLowerInvariant()}-{style.ToString().ToLowerInvariant()}.json", Encoding.UTF8.GetString(body.Span) + "\n");
    }

    [Theory]
    [InlineData("stream-thought-tools", "openai")]
    [InlineData("stream-thought-tools", "anthropic")]
    [InlineData("stream-thought-tools", "responses")]
    [InlineData("stream-text-signature", "openai")]
    [InlineData("stream-text-signature", "anthropic")]
    [InlineData("stream-text-signature", "responses")]
    [InlineData("stream-error-mid", "openai")]
    [InlineData("stream-error-mid", "anthropic")]
    [InlineData("stream-error-mid", "responses")]
    [InlineData("stream-call-ids", "openai")]
    [InlineData("stream-call-ids", "anthropic")]
    [InlineData("stream-call-ids", "responses")]
    public async Task Stream_MatchesGolden(string name, string format)
    {
        var transcript = await Gateway.Tests.Pipeline.Transcripts.RunAsync(Codec(Parse(format, Simple(format)), Target(ThinkingMode.Native, ThinkingStyle.Adaptive)), Golden.Read($"gemini-out/{name}.upstream.sse"));

        Golden.AssertMatches($"gemini-out/{name}.{format}.sse", Scrub(transcript));
    }

    [Theory]
    [InlineData("whole-tools", "openai")]
    [InlineData("whole-tools", "anthropic")]
    [InlineData("whole-tools", "responses")]
    [InlineData("whole-blocked", "openai")]
    [InlineData("whole-blocked", "anthropic")]
    public void Whole_MatchesGolden(string name, string format)
    {
        var request = Parse(format, Simple(format).Replace("\"stream\":true,", string.Empty, StringComparison.Ordinal));
        var codec = Codec(request, Target(ThinkingMode.Native, ThinkingStyle.Adaptive));

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(Golden.Read($"gemini-out/{name}.upstream.json")), out var answer));

        Golden.AssertMatches($"gemini-out/{name}.{format}.json", Scrub(Encoding.UTF8.GetString(answer.Span)) + "\n");
    }

    internal static string Simple(string format) => format switch
    {
        "openai" => OpenAISimple,
        "anthropic" => AnthropicSimple,
        _ => ResponsesSimple,
    };

    internal static ChatRequest Parse(string format, string json)
    {
        json = json.Replace("{hash:p}", Opaque.ProviderHash("p"), StringComparison.Ordinal).Replace("{hash:other}", Opaque.ProviderHash("other"), StringComparison.Ordinal);
        return format switch
        {
            "openai" => AnthropicOutboundGoldenTests.Parse(json),
            "anthropic" => AnthropicInboundGoldenTests.Parse(json),
            _ => ResponsesGoldenTests.Parse(json),
        };
    }

    internal static RouteTarget Target(ThinkingMode thinking, ThinkingStyle style, string provider = "p") =>
        new(new Provider(provider, new ProviderOptions { Kind = ProviderKind.Gemini, BaseUrl = "http://upstream.test/v1beta", ApiKey = "g", Thinking = thinking, ThinkingStyle = style }), "gemini-3-pro-preview", 1, null);

    internal static IAttemptCodec Codec(ChatRequest request, RouteTarget target) => Gateway.Tests.Pipeline.TestCodecs.Selector().For(request)(target);

    // Ids and times the gateway generates; the golden file shows where one was.
    internal static string Scrub(string text)
    {
        text = GeneratedCallId().Replace(text, "call_gm<generated>");
        text = GeneratedId().Replace(text, "$1_gw<generated>");
        text = AnthropicInboundGoldenTests.Scrub(text);
        return Times().Replace(text, "\"$1\":<now>");
    }

    [GeneratedRegex("call_gm[A-Za-z0-9]{22}")]
    private static partial Regex GeneratedCallId();

    [GeneratedRegex("(resp|msg|rs|fc|ctc)_gw[0-9a-f]{24}")]
    private static partial Regex GeneratedId();

    [GeneratedRegex("\"(created|created_at)\":[0-9]+")]
    private static partial Regex Times();
}
