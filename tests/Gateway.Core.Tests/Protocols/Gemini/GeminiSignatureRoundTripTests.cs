using System.Text;
using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.Tests.Pipeline;
using Xunit;

namespace Gateway.Tests.Protocols.Gemini;

/// <summary>
/// ecosystem.md §4 item 9: a Gemini <c>thoughtSignature</c> comes back on the call it was issued with, through
/// every client format — OpenAI Chat's <c>extra_content</c> (or the signature store when the client drops it),
/// Anthropic thinking blocks, Responses reasoning items — and history with no signature of this provider gets
/// Gemini's skip sentinel instead of a 400.
/// </summary>
public sealed class GeminiSignatureRoundTripTests
{
    private const string Signature = "R0VNU0lHOQ==";

    [Fact]
    public void OpenAIChat_SignatureOnTheCall_GoesBackOnTheFunctionCall()
    {
        var message = OpenAIAnswer(TestCodecs.Selector());

        var body = NextGeminiBody("openai", OpenAIFollowUp(message));

        Assert.Equal(Signature, FirstCall(body)["thoughtSignature"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenAIChat_ClientDropsExtraContent_SignatureComesFromTheStore()
    {
        var selector = TestCodecs.Selector(out var thinking);
        var message = OpenAIAnswer(selector);
        foreach (var call in message["tool_calls"]!.AsArray())
        {
            call!.AsObject().Remove("extra_content");
        }

        var request = GeminiGoldenTests.Parse("openai", OpenAIFollowUp(message));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            // The recorder writes off the response path: wait for it.
            await thinking.RestoreStepsAsync(request.Conversation!, "-", 8, CancellationToken.None);
        }
        while (!request.Conversation!.Messages.Exists(m => m.Parts.Exists(p => p is Chat.ReasoningPart { Signature: not null })) && DateTime.UtcNow < deadline && await Delay());

        var body = Body(request);

        Assert.Equal(Signature, FirstCall(body)["thoughtSignature"]!.GetValue<string>());
    }

    [Fact]
    public void Anthropic_ThinkingBlockSignature_GoesBackOnTheFunctionCall()
    {
        var codec = GeminiGoldenTests.Codec(GeminiGoldenTests.Parse("anthropic", """{"model":"gw","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}"""), Target());
        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(Golden.Read("gemini-out/whole-tools.upstream.json")), out var answer));
        var content = JsonNode.Parse(answer.Span)!["content"]!;
        var id = content.AsArray().First(b => b!["type"]!.GetValue<string>() == "tool_use")!["id"]!.GetValue<string>();

        var followUp = new JsonObject
        {
            ["model"] = "gw",
            ["max_tokens"] = 100,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "hi" },
                new JsonObject { ["role"] = "assistant", ["content"] = content.DeepClone() },
                new JsonObject { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = id, ["content"] = "done" }) }),
        };
        var body = NextGeminiBody("anthropic", followUp.ToJsonString());

        Assert.Equal(Signature, FirstCall(body)["thoughtSignature"]!.GetValue<string>());
        Assert.Equal("fc-9", FirstCall(body)["functionCall"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public void Responses_ReasoningItemSignature_GoesBackOnTheFunctionCall()
    {
        var codec = GeminiGoldenTests.Codec(GeminiGoldenTests.Parse("responses", """{"model":"gw","input":"hi"}"""), Target());
        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(Golden.Read("gemini-out/whole-tools.upstream.json")), out var answer));
        var output = JsonNode.Parse(answer.Span)!["output"]!.AsArray();
        var input = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" });
        foreach (var item in output)
        {
            input.Add(item!.DeepClone());
        }

        var call = output.First(i => i!["type"]!.GetValue<string>() == "function_call")!;
        input.Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = call["call_id"]!.GetValue<string>(), ["output"] = "done" });
        var body = NextGeminiBody("responses", new JsonObject { ["model"] = "gw", ["input"] = input }.ToJsonString());

        Assert.Equal(Signature, FirstCall(body)["thoughtSignature"]!.GetValue<string>());
    }

    [Fact]
    public void AnotherProvidersSignature_IsReplacedByTheSkipSentinel()
    {
        var message = OpenAIAnswer(TestCodecs.Selector());

        // The same history sent to a second Gemini provider: the signature is not its own.
        var request = GeminiGoldenTests.Parse("openai", OpenAIFollowUp(message));
        var body = JsonNode.Parse(GeminiGoldenTests.Codec(request, Target("other")).UpstreamBody(stream: true).Span)!;

        Assert.Equal("skip_thought_signature_validator", FirstCall(body)["thoughtSignature"]!.GetValue<string>());
    }

    private static Task<bool> Delay() => Task.Delay(50).ContinueWith(_ => true, TaskScheduler.Default);

    private static Gateway.Routing.RouteTarget Target(string provider = "p") => GeminiGoldenTests.Target(ThinkingMode.Native, ThinkingStyle.Adaptive, provider);

    // The non-stream answer an OpenAI client gets for whole-tools: its message.
    private static JsonObject OpenAIAnswer(Gateway.Pipeline.CodecSelector selector)
    {
        var request = GeminiGoldenTests.Parse("openai", """{"model":"gw","messages":[{"role":"user","content":"hi"}]}""");
        var codec = selector.For(request)(Target());
        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(Golden.Read("gemini-out/whole-tools.upstream.json")), out var answer));
        return JsonNode.Parse(answer.Span)!["choices"]![0]!["message"]!.AsObject();
    }

    private static string OpenAIFollowUp(JsonObject message)
    {
        var id = message["tool_calls"]![0]!["id"]!.GetValue<string>();
        return new JsonObject
        {
            ["model"] = "gw",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "hi" },
                message.DeepClone(),
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = id, ["content"] = "done" }),
        }.ToJsonString();
    }

    private static JsonNode NextGeminiBody(string format, string json) => Body(GeminiGoldenTests.Parse(format, json));

    private static JsonNode Body(Gateway.Chat.ChatRequest request) =>
        JsonNode.Parse(GeminiGoldenTests.Codec(request, Target()).UpstreamBody(stream: true).Span)!;

    private static JsonNode FirstCall(JsonNode body) =>
        body["contents"]!.AsArray().Where(c => c!["role"]!.GetValue<string>() == "model")
            .SelectMany(c => c!["parts"]!.AsArray()).First(p => p!["functionCall"] is not null)!;
}
