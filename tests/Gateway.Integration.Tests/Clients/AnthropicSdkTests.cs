using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Clients;

/// <summary>
/// The official Anthropic .NET SDK as the client of <c>/v1/messages</c>: against an OpenAI-kind upstream
/// (the translated path) and an Anthropic-kind one (pass-through). The SDK validates what it parses, so a
/// frame or field out of Anthropic's shape fails these tests.
/// </summary>
public sealed class AnthropicSdkTests
{
    private const string Key = "sk-client";

    private static AnthropicClient Client(GatewayApp gateway, string key = Key) =>
        new() { BaseUrl = gateway.Root.ToString().TrimEnd('/'), ApiKey = key, MaxRetries = 0, ResponseValidation = true };

    private static TestConfig OpenAIKind(FakeUpstreamServer upstream) =>
        TestConfig.Single(upstream.BaseUrl).Bearer(("sdk", Key));

    private static TestConfig AnthropicKind(FakeUpstreamServer upstream) =>
        new TestConfig().AnthropicProvider("claude", upstream.BaseUrl, "claude-x").Model("gpt-test", ("claude", "claude-x")).Bearer(("sdk", Key));

    private static TestConfig GeminiKind(FakeUpstreamServer upstream) =>
        new TestConfig().GeminiProvider("gemini", upstream.Root + "v1beta", "gemini-x").Model("gpt-test", ("gemini", "gemini-x")).Bearer(("sdk", Key));

    private static MessageCreateParams Ask(string text, IReadOnlyList<ToolUnion>? tools = null) => new()
    {
        Model = "gpt-test",
        MaxTokens = 256,
        Messages = [new UserMessageParam(text)],
        Tools = tools,
    };

    [Fact]
    public async Task NonStream_TranslatedFromAnOpenAIUpstream_IsAMessageWithUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(OpenAIKind(upstream));

        var message = await Client(gateway).Messages.Create(Ask("hello sdk"));

        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("echo: hello sdk", text!.Text);
        Assert.Equal(StopReason.EndTurn, message.StopReason!.Value());
        Assert.Equal(5, message.Usage.InputTokens);
        Assert.Equal(7, message.Usage.OutputTokens);
        Assert.Equal("/v1/chat/completions", Assert.Single(upstream.Requests).Path);
    }

    [Fact]
    public async Task Stream_TranslatedFromAnOpenAIUpstream_DeliversTextStopReasonAndUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(OpenAIKind(upstream));

        var (text, types, stop, output) = await StreamAsync(Client(gateway), Ask("stream me please"));

        Assert.Equal("echo: stream me please", text);
        Assert.Equal("message_start", types[0]);
        Assert.Equal("message_stop", types[^1]);
        Assert.Equal(StopReason.EndTurn, stop);
        Assert.Equal(4, output);
    }

    [Fact]
    public async Task Stream_PassedThroughFromAnAnthropicUpstream_KeepsThinkingAndItsSignature()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            AnthropicEvents.MessageStart(), AnthropicEvents.ThinkingStart(0), AnthropicEvents.ThinkingDelta(0, "Let me think."),
            AnthropicEvents.SignatureDelta(0, "sig-abc"), AnthropicEvents.BlockStop(0),
            AnthropicEvents.TextStart(1), AnthropicEvents.TextDelta(1, "Done."), AnthropicEvents.BlockStop(1),
            AnthropicEvents.MessageDelta("end_turn", 6), AnthropicEvents.MessageStop()));
        await using var gateway = await GatewayApp.StartAsync(AnthropicKind(upstream));

        var thinking = new StringBuilder();
        string? signature = null;
        var text = new StringBuilder();
        await foreach (var streamEvent in Client(gateway).Messages.CreateStreaming(Ask("think first")))
        {
            if (streamEvent.TryPickContentBlockDelta(out var delta))
            {
                if (delta!.Delta.TryPickThinking(out var thought))
                {
                    thinking.Append(thought!.Thinking);
                }
                else if (delta.Delta.TryPickSignature(out var signed))
                {
                    signature = signed!.Signature;
                }
                else if (delta.Delta.TryPickText(out var piece))
                {
                    text.Append(piece!.Text);
                }
            }
        }

        Assert.Equal("Let me think.", thinking.ToString());
        Assert.Equal("Done.", text.ToString());
        // The signature reaches the client tagged with its origin (opaque to the client either way).
        Assert.NotNull(signature);
        Assert.StartsWith("gw1~a", signature, StringComparison.Ordinal);
        Assert.EndsWith("~sig-abc", signature, StringComparison.Ordinal);
        Assert.Equal("/v1/messages", Assert.Single(upstream.Requests).Path);
    }

    [Fact]
    public async Task ToolRoundTrip_TranslatedFromAnOpenAIUpstream_ResultGoesBackAsAToolMessage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Json(Chunks.ToolCompletion("get_weather", """{"city":"Oslo"}""", id: "call_weather1")),
            Scripts.Json(Chunks.Completion("It is 3 degrees in Oslo.")));
        await using var gateway = await GatewayApp.StartAsync(OpenAIKind(upstream));
        var client = Client(gateway);
        using var schema = JsonDocument.Parse("""{"city":{"type":"string"}}""");
        ToolUnion tool = new Tool
        {
            Name = "get_weather",
            Description = "Weather by city",
            InputSchema = new InputSchema
            {
                Properties = schema.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
                Required = ["city"],
            },
        };

        var first = await client.Messages.Create(Ask("Weather in Oslo?", [tool]));
        var use = first.Content.Select(b => b.TryPickToolUse(out var u) ? u : null).Single(u => u is not null)!;
        var second = await client.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-test",
            MaxTokens = 256,
            Tools = [tool],
            Messages =
            [
                new UserMessageParam("Weather in Oslo?"),
                new AssistantMessageParam(new List<ContentBlockParam> { new ToolUseBlockParam { ID = use.ID, Name = use.Name, Input = use.Input } }),
                new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(use.ID) { Content = """{"temp":3}""" } }),
            ],
        });

        Assert.Equal(StopReason.ToolUse, first.StopReason!.Value());
        Assert.Equal("call_weather1", use.ID);
        Assert.Equal("get_weather", use.Name);
        Assert.Equal("Oslo", use.Input["city"].GetString());
        Assert.True(Assert.Single(second.Content).TryPickText(out var answer));
        Assert.Equal("It is 3 degrees in Oslo.", answer!.Text);
        var sent = upstream.Requests[1].Json["messages"]!.AsArray();
        Assert.Equal("call_weather1", sent[1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("tool", sent[2]!["role"]!.GetValue<string>());
        Assert.Equal("call_weather1", sent[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("""{"temp":3}""", sent[2]!["content"]!.GetValue<string>());
    }

    // Claude Code's path on Gemini: the SDK validates the thinking block that carries the thoughtSignature and the tool_use.
    [Fact]
    public async Task Stream_TranslatedFromAGeminiUpstream_ThoughtSignatureAndToolUseAreValidBlocks()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            GeminiEvents.Event(GeminiEvents.Response(new System.Text.Json.Nodes.JsonArray(GeminiEvents.Thought("Let me look.")), usage: GeminiEvents.Usage(12, 0))),
            GeminiEvents.Event(GeminiEvents.Response(
                new System.Text.Json.Nodes.JsonArray(GeminiEvents.Call("read", new System.Text.Json.Nodes.JsonObject { ["path"] = "a" }, signature: "c2lnLWdlbWluaQ==")),
                "STOP",
                GeminiEvents.Usage(12, 5, thoughts: 3)))));
        await using var gateway = await GatewayApp.StartAsync(GeminiKind(upstream));

        var blocks = new List<string>();
        string? signature = null;
        StopReason? stop = null;
        await foreach (var streamEvent in Client(gateway).Messages.CreateStreaming(Ask("read a")))
        {
            if (streamEvent.TryPickContentBlockStart(out var start))
            {
                blocks.Add(start!.ContentBlock.Json.GetProperty("type").GetString()!);
            }
            else if (streamEvent.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickSignature(out var signed))
            {
                signature = signed!.Signature;
            }
            else if (streamEvent.TryPickDelta(out var messageDelta))
            {
                stop = messageDelta!.Delta.StopReason?.Value();
            }
        }

        Assert.Equal(["thinking", "tool_use"], blocks);
        Assert.StartsWith("gw1~g", signature, StringComparison.Ordinal);
        Assert.EndsWith("~c2lnLWdlbWluaQ==", signature, StringComparison.Ordinal);
        Assert.Equal(StopReason.ToolUse, stop);
        Assert.EndsWith("/models/gemini-x:streamGenerateContent?alt=sse", Assert.Single(upstream.Requests).Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonStream_TranslatedFromAGeminiUpstream_IsAMessageWithUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(GeminiKind(upstream));

        var message = await Client(gateway).Messages.Create(Ask("hello gemini"));

        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("echo: hello gemini", text!.Text);
        Assert.Equal(StopReason.EndTurn, message.StopReason!.Value());
        Assert.Equal(5, message.Usage.InputTokens);
        Assert.Equal(3, message.Usage.OutputTokens);
    }

    [Fact]
    public async Task UnknownModel_IsTheSdksNotFoundException()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(OpenAIKind(upstream));

        var error = await Assert.ThrowsAsync<AnthropicNotFoundException>(() => Client(gateway).Messages.Create(Ask("hi") with { Model = "no-such-model" }));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("not_found_error", error.ResponseBody, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task WrongKey_IsTheSdksUnauthorizedException()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(OpenAIKind(upstream));

        var error = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => Client(gateway, "sk-wrong").Messages.Create(Ask("hi")));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("authentication_error", error.ResponseBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamOverloadedEverywhere_IsTheSdksOverloadedOrServerException()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(AnthropicEvents.ErrorBody("overloaded_error", "Overloaded"), 529));
        await using var gateway = await GatewayApp.StartAsync(AnthropicKind(upstream).Set("Routing:MaxAttempts", 1));

        var error = await Assert.ThrowsAnyAsync<Anthropic5xxException>(() => Client(gateway).Messages.Create(Ask("hi")));

        Assert.True((int)error.StatusCode is 502 or 503, $"status {(int)error.StatusCode}");
        Assert.Contains("\"type\":\"error\"", error.ResponseBody, StringComparison.Ordinal);
    }

    private static async Task<(string Text, List<string> Types, StopReason? Stop, long Output)> StreamAsync(AnthropicClient client, MessageCreateParams request)
    {
        var text = new StringBuilder();
        var types = new List<string>();
        StopReason? stop = null;
        long output = 0;
        await foreach (var streamEvent in client.Messages.CreateStreaming(request))
        {
            types.Add(streamEvent.Json.GetProperty("type").GetString()!);
            if (streamEvent.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var piece))
            {
                text.Append(piece!.Text);
            }
            else if (streamEvent.TryPickDelta(out var messageDelta))
            {
                stop = messageDelta!.Delta.StopReason?.Value();
                output = messageDelta.Usage.OutputTokens;
            }
        }

        return (text.ToString(), types, stop, output);
    }
}
