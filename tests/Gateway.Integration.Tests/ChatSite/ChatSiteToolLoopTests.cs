using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.ChatSite;

/// <summary>Each client format's two-turn tool loop against a chat site that has no tools: calls read from its text, results folded into the next query.</summary>
public sealed class ChatSiteToolLoopTests
{
    private const string ListTool = """{"type":"object","properties":{"dir":{"type":"string"}},"required":["dir"]}""";

    private static TestConfig Site(FakeUpstreamServer upstream) =>
        new TestConfig().ChatSiteProvider("site", upstream.BaseUrl, "site-model").Model("gpt-test", ("site", "site-model"));

    // The site's model: a marked call to list_dir on the first turn, a final text once a result came back.
    private static Script Model(FakeUpstreamServer upstream) => upstream.Site.Answer(query =>
        query.Contains("[tool_result", StringComparison.Ordinal)
            ? "There are two files."
            : "Let me look.\n" + FakeUpstream.ChatSite.Call(FakeUpstream.ChatSite.Nonce(query)!, "list_dir", new { dir = "/tmp" }));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAIChat_TwoTurnToolLoop(bool stream)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.ChatSiteDefault = Model(upstream);
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));
        var tools = $$$"""[{"type":"function","function":{"name":"list_dir","description":"Lists a directory.","parameters":{{{ListTool}}}}}]""";

        var first = await ChatAsync(gateway, $$"""{"model":"gpt-test","stream":{{(stream ? "true" : "false")}},"tools":{{tools}},"messages":[{"role":"user","content":"what is in /tmp?"}]}""", stream);
        var call = first["tool_calls"]![0]!;
        var second = await ChatAsync(gateway, $$"""
            {"model":"gpt-test","stream":{{(stream ? "true" : "false")}},"tools":{{tools}},"messages":[
              {"role":"user","content":"what is in /tmp?"},
              {"role":"assistant","content":"Let me look.","tool_calls":[{{call.ToJsonString()}}]},
              {"role":"tool","tool_call_id":"{{call["id"]}}","content":"a.txt\nb.txt"}]}
            """, stream);

        Assert.Equal("Let me look.", first["content"]!.GetValue<string>());
        Assert.Equal("tool_calls", first["finish_reason"]!.GetValue<string>());
        Assert.Equal("list_dir", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"dir":"/tmp"}""", call["function"]!["arguments"]!.GetValue<string>());
        Assert.Matches("^call_[A-Za-z0-9]{24}$", call["id"]!.GetValue<string>());
        Assert.Equal("There are two files.", second["content"]!.GetValue<string>());
        Assert.Equal("stop", second["finish_reason"]!.GetValue<string>());
        var query = upstream.Requests[1].Json["request"]!["query"]!.GetValue<string>();
        Assert.Contains("[tool_result name=list_dir call=" + call["id"], query, StringComparison.Ordinal);
        Assert.Contains("a.txt\nb.txt", query, StringComparison.Ordinal);
        Assert.DoesNotContain("tool_call id=", first["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnthropicMessages_TwoTurnToolLoop(bool stream)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.ChatSiteDefault = Model(upstream);
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));
        var tools = $$$"""[{"name":"list_dir","description":"Lists a directory.","input_schema":{{{ListTool}}}}]""";

        var first = await MessagesAsync(gateway, $$"""{"model":"gpt-test","max_tokens":100,"stream":{{(stream ? "true" : "false")}},"tools":{{tools}},"messages":[{"role":"user","content":"what is in /tmp?"}]}""", stream);
        var use = first["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "tool_use")!;
        var second = await MessagesAsync(gateway, $$"""
            {"model":"gpt-test","max_tokens":100,"stream":{{(stream ? "true" : "false")}},"tools":{{tools}},"messages":[
              {"role":"user","content":"what is in /tmp?"},
              {"role":"assistant","content":{{first["content"]!.ToJsonString()}}},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"{{use["id"]}}","content":"a.txt\nb.txt"}]}]}
            """, stream);

        Assert.Equal("tool_use", first["stop_reason"]!.GetValue<string>());
        Assert.Equal("Let me look.", first["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("/tmp", use["input"]!["dir"]!.GetValue<string>());
        Assert.Equal("end_turn", second["stop_reason"]!.GetValue<string>());
        Assert.Equal("There are two files.", second["content"]![0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Responses_TwoTurnToolLoop(bool stream)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.ChatSiteDefault = Model(upstream);
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));
        var tools = $$$"""[{"type":"function","name":"list_dir","description":"Lists a directory.","parameters":{{{ListTool}}}}]""";

        var first = await ResponsesAsync(gateway, $$"""{"model":"gpt-test","store":false,"stream":{{(stream ? "true" : "false")}},"tools":{{tools}},"input":"what is in /tmp?"}""", stream);
        var call = first["output"]!.AsArray().Single(i => i!["type"]!.GetValue<string>() == "function_call")!;
        var second = await ResponsesAsync(gateway, $$"""
            {"model":"gpt-test","store":false,"stream":{{(stream ? "true" : "false")}},"tools":{{tools}},"input":[
              {"role":"user","content":"what is in /tmp?"},
              {{call.ToJsonString()}},
              {"type":"function_call_output","call_id":"{{call["call_id"]}}","output":"a.txt\nb.txt"}]}
            """, stream);

        Assert.Equal("list_dir", call["name"]!.GetValue<string>());
        Assert.Equal("""{"dir":"/tmp"}""", call["arguments"]!.GetValue<string>());
        Assert.Equal("There are two files.", second["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToolResultForAnUnknownCall_Is400BeforeAnyUpstreamCall()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));

        using var response = await gateway.Client.PostAsync("""
            {"model":"gpt-test","tools":[{"type":"function","function":{"name":"ls","parameters":{"type":"object"}}}],"messages":[
              {"role":"user","content":"hi"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"ls","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_b","content":"x"}]}
            """);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("tool_call_id_mismatch", error["code"]!.GetValue<string>());
        Assert.Equal("messages", error["param"]!.GetValue<string>());
        Assert.Empty(upstream.Requests);
    }

    // The OpenAI answer as {content, tool_calls, finish_reason}, streamed or not.
    private static async Task<JsonObject> ChatAsync(GatewayApp gateway, string body, bool stream)
    {
        using var response = await gateway.Client.PostAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        if (!stream)
        {
            var choice = JsonNode.Parse(text)!["choices"]![0]!;
            return new JsonObject
            {
                ["content"] = choice["message"]!["content"]?.DeepClone(),
                ["tool_calls"] = choice["message"]!["tool_calls"]?.DeepClone(),
                ["finish_reason"] = choice["finish_reason"]!.DeepClone(),
            };
        }

        return SseText.Assemble(text);
    }

    private static async Task<JsonNode> MessagesAsync(GatewayApp gateway, string body, bool stream)
    {
        using var response = await gateway.Client.PostAsync(body, Requests.MessagesPath, r => r.Headers.Add("anthropic-version", "2023-06-01"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return stream ? NamedSse.AssembleAnthropic(text) : JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> ResponsesAsync(GatewayApp gateway, string body, bool stream)
    {
        using var response = await gateway.Client.PostAsync(body, "/v1/responses");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return stream ? NamedSse.Parse(text).Last(e => e.Name == "response.completed").Data["response"]! : JsonNode.Parse(text)!;
    }
}
