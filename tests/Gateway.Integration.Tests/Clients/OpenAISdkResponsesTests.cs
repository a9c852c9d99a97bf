using System.ClientModel;
using System.Text;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using OpenAI.Responses;
using Xunit;

namespace Gateway.Integration.Tests.Clients;

/// <summary>
/// The official OpenAI .NET SDK's Responses client against <c>/v1/responses</c>, over an OpenAI-kind and an
/// Anthropic-kind upstream. The SDK parses every event and object it gets, so a shape out of the API's fails here.
/// </summary>
public sealed class OpenAISdkResponsesTests
{
#pragma warning disable OPENAI001 // the Responses client is marked experimental in this SDK version
    private static ResponsesClient Client(GatewayApp gateway) =>
        new(new ApiKeyCredential("sk-client"), new ResponsesClientOptions { Endpoint = new Uri(gateway.Root, "v1") });

    private static TestConfig Config(FakeUpstreamServer upstream, string kind) => kind switch
    {
        "Anthropic" => new TestConfig().AnthropicProvider("claude", upstream.BaseUrl, "claude-x").Model("gpt-test", ("claude", "claude-x")).Bearer(("sdk", "sk-client")),
        "Gemini" => new TestConfig().GeminiProvider("gemini", upstream.Root + "v1beta", "gemini-x").Model("gpt-test", ("gemini", "gemini-x")).Bearer(("sdk", "sk-client")),
        _ => TestConfig.Single(upstream.BaseUrl).Bearer(("sdk", "sk-client")),
    };

    [Theory]
    [InlineData("OpenAI")]
    [InlineData("Anthropic")]
    [InlineData("Gemini")]
    public async Task NonStream_IsAResponseWithTextAndUsage(string kind)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Config(upstream, kind));

        ResponseResult response = await Client(gateway).CreateResponseAsync(new CreateResponseOptions("gpt-test", [ResponseItem.CreateUserMessageItem("hello sdk")]));

        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.Equal("echo: hello sdk", response.GetOutputText());
        Assert.Equal(5, response.Usage.InputTokenCount);
        Assert.StartsWith("resp_", response.Id, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OpenAI")]
    [InlineData("Anthropic")]
    [InlineData("Gemini")]
    public async Task Stream_DeliversTextDeltasAndACompletedResponse(string kind)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Config(upstream, kind));

        var text = new StringBuilder();
        ResponseResult? completed = null;
        var options = new CreateResponseOptions("gpt-test", [ResponseItem.CreateUserMessageItem("stream me please")]) { StreamingEnabled = true };
        await foreach (var update in await Client(gateway).CreateResponseStreamingAsync(options))
        {
            switch (update)
            {
                case StreamingResponseOutputTextDeltaUpdate delta:
                    text.Append(delta.Delta);
                    break;
                case StreamingResponseCompletedUpdate done:
                    completed = done.Response;
                    break;
            }
        }

        Assert.Equal("echo: stream me please", text.ToString());
        Assert.NotNull(completed);
        Assert.Equal("echo: stream me please", completed!.GetOutputText());
        Assert.True(completed.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task FunctionCall_RoundTrip()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Json(Chunks.ToolCompletion("get_weather", """{"city":"Oslo"}""", id: "call_weather1")),
            Scripts.Json(Chunks.Completion("It is 3 degrees in Oslo.")));
        await using var gateway = await GatewayApp.StartAsync(Config(upstream, "OpenAI"));
        var client = Client(gateway);
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""), strictModeEnabled: false, functionDescription: "Weather by city");
        List<ResponseItem> input = [ResponseItem.CreateUserMessageItem("Weather in Oslo?")];

        ResponseResult first = await client.CreateResponseAsync(new CreateResponseOptions("gpt-test", input) { Tools = { tool } });
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        input.Add(call);
        input.Add(ResponseItem.CreateFunctionCallOutputItem(call.CallId, """{"temp":3}"""));
        ResponseResult second = await client.CreateResponseAsync(new CreateResponseOptions("gpt-test", input) { Tools = { tool } });

        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("call_weather1", call.CallId);
        Assert.Equal("""{"city":"Oslo"}""", call.FunctionArguments.ToString());
        Assert.Equal("It is 3 degrees in Oslo.", second.GetOutputText());
        var messages = upstream.Requests[1].Json["messages"]!.AsArray();
        Assert.Equal("tool", messages[2]!["role"]!.GetValue<string>());
        Assert.Equal("call_weather1", messages[2]!["tool_call_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownModel_IsTheSdksClientResultExceptionWith404()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Config(upstream, "OpenAI"));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client(gateway).CreateResponseAsync(new CreateResponseOptions("nope", [ResponseItem.CreateUserMessageItem("hi")])));

        Assert.Equal(404, error.Status);
    }
#pragma warning restore OPENAI001
}
