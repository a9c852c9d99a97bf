using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Protocols;

/// <summary>OpenAI Chat clients against an Anthropic-kind upstream: the translated path, and failover across kinds.</summary>
public sealed class AnthropicOutboundTests
{
    private static TestConfig Claude(FakeUpstreamServer upstream) =>
        new TestConfig().AnthropicProvider("claude", upstream.BaseUrl, "claude-x").Model("gpt-test", ("claude", "claude-x"));

    [Fact]
    public async Task NonStream_IsAChatCompletionFromAMessagesCall()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}]}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", body["object"]!.GetValue<string>());
        Assert.Equal("echo: hello", body["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("stop", body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(5, body["usage"]!["prompt_tokens"]!.GetValue<int>());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/messages", sent.Path);
        Assert.Equal("sk-upstream-claude", sent.Header("x-api-key"));
        Assert.Null(sent.Header("Authorization"));
        Assert.Equal("2023-06-01", sent.Header("anthropic-version"));
        Assert.Equal("claude-x", sent.Json["model"]!.GetValue<string>());
        Assert.Equal(4096, sent.Json["max_tokens"]!.GetValue<int>());
        Assert.Equal("be brief", sent.Json["system"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("user", Assert.Single(sent.Json["messages"]!.AsArray())!["role"]!.GetValue<string>());
    }

    // ecosystem.md §4 item 12: prompt_tokens = input + cache read + cache write, cached_tokens reported.
    [Fact]
    public async Task Stream_UsageInOpenAIShapeCountsCachedInput()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            AnthropicEvents.MessageStart(inputTokens: 10, cacheRead: 300, cacheWrite: 50), AnthropicEvents.TextStart(0),
            AnthropicEvents.TextDelta(0, "Hi"), AnthropicEvents.BlockStop(0), AnthropicEvents.MessageDelta("end_turn", 2), AnthropicEvents.MessageStop()));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStreamUsage);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hi", SseText.Content(events));
        Assert.True(events[^1].IsDone);
        var usage = events[^2].Json;
        Assert.Empty(usage["choices"]!.AsArray());
        Assert.Equal(360, usage["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(300, usage["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>());
        Assert.Equal(2, usage["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.All(SseText.Chunks(events).SkipLast(1), c => Assert.Null(c["usage"]));
    }

    // ecosystem.md §4 items 3–5: tool_use arrives as tool_calls with a 0-based index, id + name first, and finish tool_calls.
    [Fact]
    public async Task Stream_ToolUseBecomesToolCallDeltasAndFinishToolCalls()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            AnthropicEvents.MessageStart(), AnthropicEvents.ToolUseStart(0, "toolu_1", "read"),
            AnthropicEvents.InputJsonDelta(0, "{\"path\":"), AnthropicEvents.InputJsonDelta(0, "\"a\"}"), AnthropicEvents.BlockStop(0),
            AnthropicEvents.ToolUseStart(1, "toolu_2", "read"), AnthropicEvents.BlockStop(1),
            AnthropicEvents.MessageDelta("tool_use", 9), AnthropicEvents.MessageStop()));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        var (_, events, _) = await gateway.Client.StreamAsync("""{"model":"gpt-test","stream":true,"tools":[{"type":"function","function":{"name":"read","parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"go"}]}""");

        var deltas = SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["delta"]?["tool_calls"]?[0]).Where(t => t is not null).ToList();
        Assert.Equal(0, deltas[0]!["index"]!.GetValue<int>());
        Assert.Equal("toolu_1", deltas[0]!["id"]!.GetValue<string>());
        Assert.Equal("read", deltas[0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("{\"path\":\"a\"}", string.Concat(deltas.Where(d => d!["index"]!.GetValue<int>() == 0).Select(d => d!["function"]!["arguments"]!.GetValue<string>())));
        Assert.Equal("{}", string.Concat(deltas.Where(d => d!["index"]!.GetValue<int>() == 1).Select(d => d!["function"]!["arguments"]!.GetValue<string>())));
        var finish = SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["finish_reason"]?.GetValue<string>()).Last(f => f is not null);
        Assert.Equal("tool_calls", finish);
    }

    // ecosystem.md §4 item 8: a thinking signature survives an OpenAI client that has no field for it.
    [Fact]
    public async Task ThinkingSignature_IsRememberedByToolCallIdAndSentBackWithTheTurn()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            AnthropicEvents.MessageStart(), AnthropicEvents.ThinkingStart(0), AnthropicEvents.ThinkingDelta(0, "Need the file."),
            AnthropicEvents.SignatureDelta(0, "SIG-ORIGINAL=="), AnthropicEvents.BlockStop(0),
            AnthropicEvents.RedactedThinking(1, "REDACTED=="), AnthropicEvents.BlockStop(1),
            AnthropicEvents.ToolUseStart(2, "toolu_9", "read"), AnthropicEvents.InputJsonDelta(2, "{}"), AnthropicEvents.BlockStop(2),
            AnthropicEvents.MessageDelta("tool_use", 9), AnthropicEvents.MessageStop()));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream).Bearer(("team", "sk-team")));
        const string tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"read\",\"parameters\":{\"type\":\"object\"}}}]";

        var (_, events, _) = await gateway.Client.StreamAsync("{\"model\":\"gpt-test\",\"stream\":true,\"reasoning_effort\":\"high\"," + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", r => r.Bearer("sk-team"));
        var reasoning = string.Concat(SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["delta"]?["reasoning_content"]?.GetValue<string>()));
        Assert.Equal("Need the file.", reasoning);
        Assert.Equal("adaptive", upstream.Requests[0].Json["thinking"]!["type"]!.GetValue<string>());

        string Continue(string callId) => """{"model":"gpt-test","reasoning_effort":"high",""" + tools + """
            ,"messages":[{"role":"user","content":"go"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"CALL","type":"function","function":{"name":"read","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"CALL","content":"file body"}]}
            """.Replace("CALL", callId, StringComparison.Ordinal);
        using var known = await WaitForRememberedAsync(() => gateway.Client.PostAsync(Continue("toolu_9"), configure: r => r.Bearer("sk-team")), upstream);
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        var replay = upstream.Requests[^1].Json;
        var assistant = replay["messages"]![1]!["content"]!.AsArray();
        Assert.Equal("thinking", assistant[0]!["type"]!.GetValue<string>());
        Assert.Equal("SIG-ORIGINAL==", assistant[0]!["signature"]!.GetValue<string>());
        Assert.Equal("Need the file.", assistant[0]!["thinking"]!.GetValue<string>());
        Assert.Equal("redacted_thinking", assistant[1]!["type"]!.GetValue<string>());
        Assert.Equal("REDACTED==", assistant[1]!["data"]!.GetValue<string>());
        Assert.Equal("tool_use", assistant[2]!["type"]!.GetValue<string>());
        Assert.Equal("adaptive", replay["thinking"]!["type"]!.GetValue<string>());

        // An unknown turn goes without thinking rather than failing; so does another key's same call id.
        using var unknown = await gateway.Client.PostAsync(Continue("toolu_unknown"), configure: r => r.Bearer("sk-team"));
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Null(upstream.Requests[^1].Json["thinking"]);
        Assert.DoesNotContain(upstream.Requests[^1].Json["messages"]![1]!["content"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "thinking");
    }

    // ecosystem.md §4 item 7: "text content blocks must be non-empty", "Input should be a valid array",
    // orphan tool_use, consecutive tool results: none of them reaches Anthropic.
    [Fact]
    public async Task Regression_MessageShapeAnthropicRejectsIsNeverSent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));
        const string body = """
            {"model":"gpt-test","tools":[{"type":"function","function":{"name":"f"}}],"messages":[
              {"role":"user","content":""},{"role":"user","content":"q"},
              {"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":""}},{"id":"c2","type":"function","function":{"name":"f","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"one"},{"role":"tool","tool_call_id":"c2","content":"two"},
              {"role":"assistant","content":null},{"role":"assistant","content":"fine"},{"role":"user","content":"next"}]}
            """;

        using var response = await gateway.Client.PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = upstream.Requests[0].Json["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.All(messages, m => Assert.NotEmpty(m!["content"]!.AsArray()));
        Assert.DoesNotContain(messages.SelectMany(m => m!["content"]!.AsArray()), b => b!["type"]!.GetValue<string>() == "text" && b["text"]!.GetValue<string>().Length == 0);
        var results = messages[2]!["content"]!.AsArray();
        Assert.Equal(["c1", "c2"], results.Select(r => r!["tool_use_id"]!.GetValue<string>()));
        Assert.Equal("{}", messages[1]!["content"]![0]!["input"]!.ToJsonString());
    }

    // ecosystem.md §4 item 4: the finish reason follows what was emitted, the same in stream and non-stream.
    [Fact]
    public async Task Regression_ToolUseWithEndTurnIsToolCallsInBothPaths()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Sse(AnthropicEvents.MessageStart(), AnthropicEvents.ToolUseStart(0, "toolu_1", "f"), AnthropicEvents.BlockStop(0), AnthropicEvents.MessageDelta("end_turn"), AnthropicEvents.MessageStop()),
            Scripts.Json(AnthropicEvents.Message(new JsonArray(new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_2", ["name"] = "f", ["input"] = new JsonObject() }), "end_turn")));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);
        using var whole = await gateway.Client.PostAsync(Requests.Hello);

        var streamed = SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["finish_reason"]?.GetValue<string>()).Last(f => f is not null);
        var answered = JsonNode.Parse(await whole.Content.ReadAsStringAsync())!["choices"]![0]!["finish_reason"]!.GetValue<string>();
        Assert.Equal("tool_calls", streamed);
        Assert.Equal("tool_calls", answered);
    }

    // An upstream that answers a stream request with one JSON message: all of it is one batch of updates,
    // which must still reach the client as a stream (content first, the finish with usage last).
    [Fact]
    public async Task JsonAnswerToAStreamRequest_IsStreamedToTheOpenAIClient()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(AnthropicEvents.Message(new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "whole answer" }))));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("whole answer", SseText.Content(events));
        Assert.Equal("stop", SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["finish_reason"]?.GetValue<string>()).Last(f => f is not null));
        Assert.True(events[^1].IsDone);
    }

    [Fact]
    public async Task UpstreamClientMistake_KeepsItsWordingInTheOpenAIEnvelope()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(AnthropicEvents.ErrorBody("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"), 400));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("prompt is too long: 210000 tokens > 200000 maximum", error["message"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Overloaded529_FailsOverToAnOpenAIKindTarget()
    {
        await using var claude = await FakeUpstreamServer.StartAsync();
        await using var openai = await FakeUpstreamServer.StartAsync();
        claude.AnthropicDefault = Scripts.Json(AnthropicEvents.ErrorBody("overloaded_error", "Overloaded"), 529);
        await using var gateway = await GatewayApp.StartAsync(new TestConfig()
            .AnthropicProvider("claude", claude.BaseUrl, "claude-x").Provider("openai", openai.BaseUrl, "gpt-x")
            .ProviderSetting("openai", "Weight", 0)
            .Model("gpt-test", ("claude", "claude-x"), ("openai", "gpt-x")));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.Single(claude.Requests);
        Assert.Equal("/v1/chat/completions", Assert.Single(openai.Requests).Path);
    }

    [Fact]
    public async Task OverloadedErrorEventBeforeContent_FailsOver()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.AnthropicDefault = Scripts.Sse(AnthropicEvents.MessageStart(), AnthropicEvents.Ping(), AnthropicEvents.Error("overloaded_error", "Overloaded"));
        await using var gateway = await GatewayApp.StartAsync(new TestConfig()
            .AnthropicProvider("a", a.BaseUrl, "claude-x").AnthropicProvider("b", b.BaseUrl, "claude-x").ProviderSetting("b", "Weight", 0)
            .Model("gpt-test", ("a", "claude-x"), ("b", "claude-x")));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.Single(b.Requests);
    }

    [Fact]
    public async Task UpstreamRejectsTheKey_Is502WithAFixedMessage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.AnthropicDefault = Scripts.Json(AnthropicEvents.ErrorBody("authentication_error", "invalid x-api-key"), 401);
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_auth_error", error["code"]!.GetValue<string>());
        Assert.DoesNotContain("x-api-key", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelList_IsReadInAnthropicsShapeAcrossPages()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Models = ["claude-a", "claude-b", "claude-c"];
        upstream.AnthropicModelsPageSize = 2;
        var config = new TestConfig().Set("Providers:claude:Kind", "Anthropic").Set("Providers:claude:BaseUrl", upstream.BaseUrl).Set("Providers:claude:ApiKey", "sk-ant");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.GetAsync("/v1/models");
        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();

        Assert.Equal(["claude-a", "claude-b", "claude-c"], ids);
        Assert.All(upstream.ModelRequestHeaders, h => Assert.Equal("sk-ant", h["x-api-key"]));
        Assert.True(upstream.ModelListRequests >= 2);
    }

    // The thinking memory is written off the response path: retry the continuation until it is there.
    private static async Task<HttpResponseMessage> WaitForRememberedAsync(Func<Task<HttpResponseMessage>> send, FakeUpstreamServer upstream)
    {
        for (var i = 0; ; i++)
        {
            var response = await send();
            var sent = upstream.Requests[^1].Json["messages"]![1]!["content"]!.AsArray();
            if (sent[0]!["type"]!.GetValue<string>() == "thinking" || i == 50)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(20);
        }
    }
}
