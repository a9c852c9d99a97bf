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

    [Fact]
    public async Task TheSameCallTwice_GetsTwoIds()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.ChatSiteDefault = upstream.Site.Answer(query =>
        {
            var call = FakeUpstream.ChatSite.Call(FakeUpstream.ChatSite.Nonce(query)!, "list_dir", new { dir = "/tmp" });
            return call + call;
        });
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));

        var answer = await ChatAsync(gateway, $$$"""{"model":"gpt-test","stream":true,"tools":[{"type":"function","function":{"name":"list_dir","parameters":{{{ListTool}}}}}],"messages":[{"role":"user","content":"twice"}]}""", stream: true);

        var ids = answer["tool_calls"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal("tool_calls", answer["finish_reason"]!.GetValue<string>());
    }

    // A call to a tool the client did not offer (an MCP tool the site cannot use): dropped, nothing of the block shown.
    [Fact]
    public async Task ACallToAToolNotOffered_IsDropped_WithoutLeakingTheBlock()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.ChatSiteDefault = upstream.Site.Answer(query => FakeUpstream.ChatSite.Call(FakeUpstream.ChatSite.Nonce(query)!, "remote_search", new { q = "x" }));
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));

        var answer = await ChatAsync(gateway, $$$"""
            {"model":"gpt-test","stream":true,"tools":[
              {"type":"mcp","server_label":"remote","server_url":"https://mcp.example/sse"},
              {"type":"function","function":{"name":"list_dir","parameters":{{{ListTool}}}}}],
             "messages":[{"role":"user","content":"search"}]}
            """, stream: true);

        var query = upstream.Requests[0].Json["request"]!["query"]!.GetValue<string>();
        Assert.DoesNotContain("mcp", query, StringComparison.Ordinal);
        Assert.Contains("- list_dir\n", query, StringComparison.Ordinal);
        Assert.Null(answer["tool_calls"]);
        Assert.Equal("stop", answer["finish_reason"]!.GetValue<string>());
        var text = answer["content"]!.GetValue<string>();
        Assert.Contains("no tool named 'remote_search' was offered", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tool_call", text, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeUpstream.ChatSite.Nonce(query)!, text, StringComparison.Ordinal);
    }

    // Over the budget: tool results are cut before the history goes, and the current question stays whole.
    [Fact]
    public async Task OverTheBudget_ToolResultsAreCutFirst_TheQuestionStaysWhole()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Site(upstream).ProviderSetting("site", "ChatSite:QueryBudgetChars", 4000));
        var result = new string('r', 6000) + "TAIL-OF-RESULT";

        using var response = await gateway.Client.PostAsync(new JsonObject
        {
            ["model"] = "gpt-test",
            ["tools"] = JsonNode.Parse($$$"""[{"type":"function","function":{"name":"list_dir","parameters":{{{ListTool}}}}}]"""),
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "an old question " + new string('h', 500) },
                new JsonObject { ["role"] = "assistant", ["content"] = "an old answer" },
                new JsonObject { ["role"] = "user", ["content"] = "list /tmp, then tell me what the biggest file is" },
                new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = JsonNode.Parse("""[{"id":"call_1","type":"function","function":{"name":"list_dir","arguments":"{\"dir\":\"/tmp\"}"}}]""") },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = result }),
        }.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var query = upstream.Requests[0].Json["request"]!["query"]!.GetValue<string>();
        Assert.True(query.Length <= 4000, $"query of {query.Length} characters");
        Assert.Contains("an old question", query, StringComparison.Ordinal);
        Assert.Contains("list /tmp, then tell me what the biggest file is", query, StringComparison.Ordinal);
        Assert.Contains("characters cut", query, StringComparison.Ordinal);
        Assert.Contains("TAIL-OF-RESULT", query, StringComparison.Ordinal);
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
