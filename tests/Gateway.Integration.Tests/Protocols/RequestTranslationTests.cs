using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Protocols;

public sealed class RequestTranslationTests
{
    [Fact]
    public async Task Stream_AlwaysRequestsUsageUpstreamAndKeepsClientStreamOptions()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        await gateway.Client.StreamAsync(Requests.HelloStream);
        await gateway.Client.StreamAsync("""{"model":"gpt-test","stream":true,"stream_options":{"include_usage":false,"include_obfuscation":false},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.True(upstream.Requests[0].Json["stream_options"]!["include_usage"]!.GetValue<bool>());
        var second = upstream.Requests[1].Json["stream_options"]!;
        Assert.True(second["include_usage"]!.GetValue<bool>());
        Assert.False(second["include_obfuscation"]!.GetValue<bool>());
    }

    [Fact]
    public async Task StreamOptionsFalseProvider_GetsNoStreamOptions()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "StreamOptions", false));

        await gateway.Client.StreamAsync(Requests.HelloStreamUsage);

        Assert.Null(upstream.Requests[0].Json["stream_options"]);
    }

    [Fact]
    public async Task NonStream_DropsStreamOptionsUpstream()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(upstream.Requests[0].Json["stream_options"]);
    }

    [Fact]
    public async Task LegacyFunctions_AreSentAsToolsWithHistoryMapped()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        const string request = """
            {"model":"gpt-test",
             "functions":[{"name":"get_weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "function_call":{"name":"get_weather"},
             "messages":[
               {"role":"user","content":"weather?"},
               {"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
               {"role":"function","name":"get_weather","content":"{\"temp\":3}"},
               {"role":"user","content":"and tomorrow?"}]}
            """;

        using var response = await gateway.Client.PostAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.Requests[0].Json;
        Assert.Null(sent["functions"]);
        Assert.Null(sent["function_call"]);
        Assert.False(sent["parallel_tool_calls"]!.GetValue<bool>());
        var tool = sent["tools"]!.AsArray().Single()!;
        Assert.Equal("function", tool["type"]!.GetValue<string>());
        Assert.Equal("get_weather", tool["function"]!["name"]!.GetValue<string>());
        Assert.Equal("object", tool["function"]!["parameters"]!["type"]!.GetValue<string>());
        Assert.Equal("function", sent["tool_choice"]!["type"]!.GetValue<string>());
        Assert.Equal("get_weather", sent["tool_choice"]!["function"]!["name"]!.GetValue<string>());
        var messages = sent["messages"]!.AsArray();
        var call = messages[1]!["tool_calls"]![0]!;
        Assert.Null(messages[1]!["function_call"]);
        Assert.Equal("get_weather", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal("{\"city\":\"Oslo\"}", call["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal("tool", messages[2]!["role"]!.GetValue<string>());
        Assert.Equal(call["id"]!.GetValue<string>(), messages[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("{\"temp\":3}", messages[2]!["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("none")]
    public async Task LegacyFunctionCallMode_BecomesToolChoiceMode(string mode)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        await gateway.Client.PostAsync($$$"""{"model":"gpt-test","functions":[{"name":"f","parameters":{}}],"function_call":"{{{mode}}}","messages":[{"role":"user","content":"x"}]}""");

        Assert.Equal(mode, upstream.Requests[0].Json["tool_choice"]!.GetValue<string>());
    }

    [Fact]
    public async Task LegacyFunctions_NonStreamAnswerUsesFunctionCallShape()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.ToolCompletion("get_weather", """{"city":"Oslo"}""")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","functions":[{"name":"get_weather","parameters":{}}],"messages":[{"role":"user","content":"x"}]}""");
        var choice = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!;

        Assert.Equal("function_call", choice["finish_reason"]!.GetValue<string>());
        Assert.Null(choice["message"]!["tool_calls"]);
        Assert.Equal("get_weather", choice["message"]!["function_call"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"city":"Oslo"}""", choice["message"]!["function_call"]!["arguments"]!.GetValue<string>());
    }

    [Fact]
    public async Task LegacyFunctions_StreamAnswerUsesFunctionCallDeltas()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Role()),
            SseStep.Data(Chunks.ToolCall(0, "call_1", "get_weather", "")),
            SseStep.Data(Chunks.ToolCall(0, null, null, "{\"city\":")),
            SseStep.Data(Chunks.ToolCall(0, null, null, "\"Oslo\"}")),
            SseStep.Data(Chunks.Finish("tool_calls")),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync("""{"model":"gpt-test","stream":true,"functions":[{"name":"get_weather","parameters":{}}],"messages":[{"role":"user","content":"x"}]}""");
        var chunks = SseText.Chunks(events);
        var deltas = chunks.Select(c => c["choices"]![0]!["delta"]!).Where(d => d["function_call"] is not null).Select(d => d["function_call"]!).ToList();

        Assert.All(chunks, c => Assert.Null(c["choices"]![0]!["delta"]!["tool_calls"]));
        Assert.Equal("get_weather", deltas[0]["name"]!.GetValue<string>());
        Assert.All(deltas, d => Assert.Null(d["index"]));
        Assert.All(deltas, d => Assert.Null(d["id"]));
        Assert.Equal("{\"city\":\"Oslo\"}", string.Concat(deltas.Select(d => d["arguments"]!.GetValue<string>())));
        Assert.Equal("function_call", chunks.Last()["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToolTypes_OnlyFunctionAndCustomReachOpenAIUpstream()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        await gateway.Client.PostAsync("""
            {"model":"gpt-test","messages":[{"role":"user","content":"x"}],"tool_choice":"auto","parallel_tool_calls":true,
             "tools":[{"type":"function","function":{"name":"f","parameters":{}}},{"type":"mcp","server_label":"s"},{"type":"custom","custom":{"name":"c"}}]}
            """);
        await gateway.Client.PostAsync("""
            {"model":"gpt-test","messages":[{"role":"user","content":"x"}],"tool_choice":"auto","parallel_tool_calls":true,
             "tools":[{"type":"mcp","server_label":"s"}]}
            """);

        var kept = upstream.Requests[0].Json;
        Assert.Equal(["function", "custom"], kept["tools"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
        Assert.Equal("auto", kept["tool_choice"]!.GetValue<string>());
        var none = upstream.Requests[1].Json;
        Assert.Null(none["tools"]);
        Assert.Null(none["tool_choice"]);
        Assert.Null(none["parallel_tool_calls"]);
    }
}
