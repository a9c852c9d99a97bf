using System.ClientModel;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using Xunit;

namespace Gateway.Integration.Tests.Clients;

/// <summary>The official OpenAI .NET SDK as the client.</summary>
public sealed class OpenAISdkTests
{
    private static ChatClient Client(GatewayApp gateway, string key = "sk-client", string model = "gpt-test") =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(gateway.Root, "v1") });

    [Fact]
    public async Task NonStream_CompletesWithUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("sdk", "sk-client")));

        ChatCompletion completion = await Client(gateway).CompleteChatAsync([new UserChatMessage("hello sdk")]);

        Assert.Equal("echo: hello sdk", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(12, completion.Usage.TotalTokenCount);
        Assert.Equal("openai-sdk", (await gateway.Logs.WaitForRequestLineAsync())["client"]);
    }

    [Fact]
    public async Task Stream_DeliversTextAndUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("sdk", "sk-client")));

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in Client(gateway).CompleteChatStreamingAsync([new UserChatMessage("stream me please")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal("echo: stream me please", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(5, usage!.InputTokenCount);
    }

    [Fact]
    public async Task ToolCall_RoundTrip()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Json(Chunks.ToolCompletion("get_weather", """{"city":"Oslo"}""", id: "call_weather1")),
            Scripts.Json(Chunks.Completion("It is 3 degrees in Oslo.")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("sdk", "sk-client")));
        var client = Client(gateway);
        var options = new ChatCompletionOptions
        {
            Tools =
            {
                ChatTool.CreateFunctionTool("get_weather", "Weather by city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")),
            },
        };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Oslo?")];

        ChatCompletion first = await client.CompleteChatAsync(messages, options);
        var call = Assert.Single(first.ToolCalls);
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, """{"temp":3}"""));
        ChatCompletion second = await client.CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Oslo", System.Text.Json.JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString());
        Assert.Equal("It is 3 degrees in Oslo.", second.Content[0].Text);
        var followUp = upstream.Requests[1].Json["messages"]!.AsArray();
        Assert.Equal("call_weather1", followUp[1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("tool", followUp[2]!["role"]!.GetValue<string>());
        Assert.Equal("call_weather1", followUp[2]!["tool_call_id"]!.GetValue<string>());
    }

    // A Gemini upstream behind the SDK: the call's thoughtSignature rides in extra_content, which the SDK keeps
    // on the call it sends back, and Gemini gets it on the functionCall.
    [Fact]
    public async Task ToolCall_RoundTrip_ThroughAGeminiUpstream()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Json(GeminiEvents.Response(new System.Text.Json.Nodes.JsonArray(GeminiEvents.Call("get_weather", new System.Text.Json.Nodes.JsonObject { ["city"] = "Oslo" }, signature: "c2lnLXdlYXRoZXI=")), "STOP", GeminiEvents.Usage(20, 5)).ToJsonString()),
            Scripts.Json(GeminiEvents.Response(new System.Text.Json.Nodes.JsonArray(GeminiEvents.Text("It is 3 degrees in Oslo.")), "STOP", GeminiEvents.Usage(30, 8)).ToJsonString()));
        var config = new TestConfig().GeminiProvider("gemini", upstream.Root + "v1beta", "gemini-x").Model("gpt-test", ("gemini", "gemini-x")).Bearer(("sdk", "sk-client"));
        await using var gateway = await GatewayApp.StartAsync(config);
        var client = Client(gateway);
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather by city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}""")) },
        };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Oslo?")];

        ChatCompletion first = await client.CompleteChatAsync(messages, options);
        var call = Assert.Single(first.ToolCalls);
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, """{"temp":3}"""));
        ChatCompletion second = await client.CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("It is 3 degrees in Oslo.", second.Content[0].Text);
        var history = upstream.Requests[1].Json["contents"]!.AsArray();
        Assert.Equal("c2lnLXdlYXRoZXI=", history[1]!["parts"]![0]!["thoughtSignature"]!.GetValue<string>());
        Assert.Equal("get_weather", history[2]!["parts"]![0]!["functionResponse"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_SurfaceAsClientResultExceptionWithStatus()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("sdk", "sk-client")));

        var unknownModel = await Assert.ThrowsAsync<ClientResultException>(() => Client(gateway, model: "nope").CompleteChatAsync([new UserChatMessage("x")]));
        var badKey = await Assert.ThrowsAsync<ClientResultException>(() => Client(gateway, key: "sk-wrong").CompleteChatAsync([new UserChatMessage("x")]));

        Assert.Equal(404, unknownModel.Status);
        Assert.Contains("model_not_found", unknownModel.Message, StringComparison.Ordinal);
        Assert.Equal(401, badKey.Status);
    }
}
