using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Protocols;

/// <summary>OpenAI Responses clients (<c>/v1/responses</c>, Codex's API) against OpenAI-kind and Anthropic-kind upstreams.</summary>
public sealed class ResponsesInboundTests
{
    private const string Path = "/v1/responses";

    private static TestConfig Claude(FakeUpstreamServer upstream) =>
        new TestConfig().AnthropicProvider("claude", upstream.BaseUrl, "claude-x").Model("gpt-test", ("claude", "claude-x"));

    private static async Task<(HttpResponseMessage Response, List<NamedSse.Event> Events)> StreamAsync(GatewayApp gateway, string body)
    {
        var response = await gateway.Client.PostAsync(body, Path);
        var raw = await response.Content.ReadAsStringAsync();
        return (response, response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? NamedSse.Parse(raw) : []);
    }

    [Fact]
    public async Task NonStream_OpenAIUpstream_IsAResponseWithItemsAndUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","instructions":"be brief","input":"hello"}""", Path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("response", body["object"]!.GetValue<string>());
        Assert.Equal("completed", body["status"]!.GetValue<string>());
        Assert.StartsWith("resp_", body["id"]!.GetValue<string>(), StringComparison.Ordinal);
        var message = Assert.Single(body["output"]!.AsArray())!;
        Assert.Equal("message", message["type"]!.GetValue<string>());
        Assert.Equal("echo: hello", message["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(5, body["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(12, body["usage"]!["total_tokens"]!.GetValue<int>());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("be brief", sent.Json["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("hello", sent.Json["messages"]![1]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_AnthropicUpstream_IsTheRealEventSequenceEndingInCompleted()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        var (response, events) = await StreamAsync(gateway, """{"model":"gpt-test","stream":true,"input":[{"role":"user","content":[{"type":"input_text","text":"hi there"}]}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta",
             "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
             "response.output_item.done", "response.completed"],
            events.Select(e => e.Name));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()));
        var completed = events[^1].Data["response"]!;
        Assert.Equal("echo: hi there", completed["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(3, completed["usage"]!["output_tokens"]!.GetValue<int>());
        Assert.Equal("/v1/messages", Assert.Single(upstream.Requests).Path);
    }

    // Codex's loop: a function call answered, its output sent back with the whole input (store:false).
    [Fact]
    public async Task FunctionCallLoop_TwoTurns_OutputGoesUpstreamAsAToolMessage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Sse(
                SseStep.Data(Chunks.Role()),
                SseStep.Data(Chunks.ToolCall(0, "call_ls", "exec_command", "{\"cmd\":")),
                SseStep.Data(Chunks.ToolCall(0, null, null, "\"ls\"}")),
                SseStep.Data(Chunks.Finish("tool_calls")),
                SseStep.Data(Chunks.Usage(20, 5)),
                SseStep.Done()),
            Scripts.Json(Chunks.Completion("Two files.")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        const string tools = """[{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}}]""";

        var (_, first) = await StreamAsync(gateway, $$"""{"model":"gpt-test","stream":true,"store":false,"tools":{{tools}},"input":[{"role":"user","content":"list files"}]}""");
        var call = first.Last(e => e.Name == "response.output_item.done").Data["item"]!;
        using var second = await gateway.Client.PostAsync($$"""
            {"model":"gpt-test","store":false,"tools":{{tools}},"input":[
              {"role":"user","content":"list files"},
              {{call.ToJsonString()}},
              {"type":"function_call_output","call_id":"{{call["call_id"]}}","output":"a.txt\nb.txt"}]}
            """, Path);
        var answer = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;

        Assert.Equal("function_call", call["type"]!.GetValue<string>());
        Assert.Equal("exec_command", call["name"]!.GetValue<string>());
        Assert.Equal("{\"cmd\":\"ls\"}", call["arguments"]!.GetValue<string>());
        Assert.Equal("call_ls", call["call_id"]!.GetValue<string>());
        Assert.Contains(first, e => e.Name == "response.function_call_arguments.delta");
        Assert.Equal("Two files.", answer["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        var messages = upstream.Requests[1].Json["messages"]!.AsArray();
        Assert.Equal("call_ls", messages[1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("tool", messages[2]!["role"]!.GetValue<string>());
        Assert.Equal("a.txt\nb.txt", messages[2]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task NamespaceTool_IsOneFunctionUpstreamAndNamedAsDeclaredInTheAnswer()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.ToolCompletion("agents__spawn", "", id: "call_s")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","input":"go","tools":[{"type":"namespace","name":"agents","tools":[{"type":"function","name":"spawn","parameters":{"type":"object"}}]},{"type":"web_search"}]}""", Path);
        var item = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["output"]![0]!;

        Assert.Equal("spawn", item["name"]!.GetValue<string>());
        Assert.Equal("agents", item["namespace"]!.GetValue<string>());
        Assert.Equal("{}", item["arguments"]!.GetValue<string>());
        var tools = Assert.Single(upstream.Requests).Json["tools"]!.AsArray();
        Assert.Equal("agents__spawn", Assert.Single(tools)!["function"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task NamespacedCustomTool_IsAnsweredWithItsNamespace_AndItsCallComesBackUnderTheNameTheUpstreamWasGiven()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json("""{"id":"c1","object":"chat.completion","model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_n","type":"custom","custom":{"name":"agents__note","input":"remember this"}}]},"finish_reason":"tool_calls"}]}"""));
        upstream.Enqueue(Scripts.Json(Chunks.Completion("Noted.")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        const string Tools = """[{"type":"namespace","name":"agents","tools":[{"type":"custom","name":"note"}]}]""";

        using var first = await gateway.Client.PostAsync("{\"model\":\"gpt-test\",\"input\":\"go\",\"tools\":" + Tools + "}", Path);
        var call = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["output"]![0]!;
        using var second = await gateway.Client.PostAsync(
            "{\"model\":\"gpt-test\",\"tools\":" + Tools + ",\"input\":[{\"role\":\"user\",\"content\":\"go\"}," + call.ToJsonString()
            + ",{\"type\":\"custom_tool_call_output\",\"call_id\":\"call_n\",\"output\":\"ok\"}]}",
            Path);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(
            ("custom_tool_call", "note", "agents", "remember this"),
            (call["type"]!.GetValue<string>(), call["name"]!.GetValue<string>(), call["namespace"]!.GetValue<string>(), call["input"]!.GetValue<string>()));
        var sentCall = upstream.Requests[1].Json["messages"]![1]!["tool_calls"]![0]!;
        Assert.Equal(("custom", "agents__note", "remember this"), (sentCall["type"]!.GetValue<string>(), sentCall["custom"]!["name"]!.GetValue<string>(), sentCall["custom"]!["input"]!.GetValue<string>()));
        Assert.Equal("agents__note", upstream.Requests[1].Json["tools"]![0]!["custom"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Overloaded529_FailsOverFromAnthropicToOpenAIKind()
    {
        await using var claude = await FakeUpstreamServer.StartAsync();
        await using var openai = await FakeUpstreamServer.StartAsync();
        claude.AnthropicDefault = Scripts.Json(AnthropicEvents.ErrorBody("overloaded_error", "Overloaded"), 529);
        await using var gateway = await GatewayApp.StartAsync(new TestConfig()
            .AnthropicProvider("claude", claude.BaseUrl, "claude-x").Provider("openai", openai.BaseUrl, "gpt-x")
            .ProviderSetting("openai", "Weight", 0)
            .Model("gpt-test", ("claude", "claude-x"), ("openai", "gpt-x")));

        var (response, events) = await StreamAsync(gateway, """{"model":"gpt-test","stream":true,"input":"hello"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal("echo: hello", events[^1].Data["response"]!["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Single(claude.Requests);
        Assert.Single(openai.Requests);
    }

    [Fact]
    public async Task InterruptedStream_EndsWithResponseFailedNotACompletion()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        // The pause lets "part" reach the gateway before the reset (a reset can discard bytes still in flight).
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role()), SseStep.Data(Chunks.Content("part")), SseStep.Delay(300), new SseStep.Reset()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events) = await StreamAsync(gateway, """{"model":"gpt-test","stream":true,"input":"hello"}""");

        Assert.Equal("response.failed", events[^1].Name);
        Assert.Equal("failed", events[^1].Data["response"]!["status"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Name == "response.completed");
    }

    [Fact]
    public async Task PreviousResponseId_Is400NotFound()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","previous_response_id":"resp_123","input":"again"}""", Path);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("previous_response_not_found", error["code"]!.GetValue<string>());
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task BadInput_Is400InTheOpenAIEnvelope()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var noInput = await gateway.Client.PostAsync("""{"model":"gpt-test"}""", Path);
        using var badItem = await gateway.Client.PostAsync("""{"model":"gpt-test","input":[1]}""", Path);
        using var unknownModel = await gateway.Client.PostAsync("""{"model":"nope","input":"x"}""", Path);

        Assert.Equal(HttpStatusCode.BadRequest, noInput.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badItem.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownModel.StatusCode);
        Assert.Equal("invalid_request_error", JsonNode.Parse(await badItem.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        Assert.Empty(upstream.Requests);
    }

    // Codex compacts long sessions through /v1/responses/compact; an upstream without compaction summarises.
    [Fact]
    public async Task Compact_IsTheRecentUserMessagesAndTheModelsSummary()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.Completion("We listed files; next: edit a.txt.")));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream).Provider("openai", upstream.BaseUrl, "gpt-x").Model("gpt-compact", ("openai", "gpt-x")));

        using var response = await gateway.Client.PostAsync("""
            {"model":"gpt-compact","instructions":"You are Codex.","tools":[{"type":"function","name":"exec_command","parameters":{"type":"object"}}],"input":[
              {"role":"user","content":"list files"},
              {"type":"function_call","call_id":"c1","name":"exec_command","arguments":"{\"cmd\":\"ls\"}"},
              {"type":"function_call_output","call_id":"c1","output":"a.txt"},
              {"role":"assistant","content":[{"type":"output_text","text":"One file."}]},
              {"role":"user","content":"now edit it"}]}
            """, "/v1/responses/compact");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("response.compaction", body["object"]!.GetValue<string>());
        var texts = body["output"]!.AsArray().Select(i => i!["content"]![0]!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(["list files", "now edit it"], texts.Take(2));
        Assert.EndsWith("We listed files; next: edit a.txt.", texts[2], StringComparison.Ordinal);
        Assert.All(body["output"]!.AsArray(), i => Assert.Equal("user", i!["role"]!.GetValue<string>()));
        var sent = Assert.Single(upstream.Requests).Json;
        Assert.Equal("none", sent["tool_choice"]!.GetValue<string>());
        Assert.Contains("compacted", sent["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(sent["stream"]);
    }
}
