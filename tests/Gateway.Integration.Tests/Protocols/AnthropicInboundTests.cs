using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Protocols;

/// <summary>Anthropic Messages clients (<c>/v1/messages</c>) against an OpenAI-kind upstream: the translated path.</summary>
public sealed class AnthropicInboundTests
{
    [Fact]
    public async Task NonStream_AnswersAnAnthropicMessageWithUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Message(), Requests.MessagesPath);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message", body["type"]!.GetValue<string>());
        Assert.Equal("assistant", body["role"]!.GetValue<string>());
        Assert.Equal("gpt-test", body["model"]!.GetValue<string>());
        Assert.StartsWith("msg_", body["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("echo: hello", body["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("end_turn", body["stop_reason"]!.GetValue<string>());
        Assert.Equal(5, body["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(7, body["usage"]!["output_tokens"]!.GetValue<int>());
        var sent = Assert.Single(upstream.Requests).Json;
        Assert.Equal("/v1/chat/completions", upstream.Requests[0].Path);
        Assert.Equal("fake-model", sent["model"]!.GetValue<string>());
        Assert.Equal(100, sent["max_tokens"]!.GetValue<int>());
        Assert.Equal("hello", sent["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_IsTheRealEventSequenceWithUsageAtTheEnd()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (response, events, raw) = await gateway.Client.MessagesStreamAsync(Requests.Message("one two three", stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var names = NamedSse.Names(events);
        Assert.Equal("message_start", names[0]);
        Assert.Equal("content_block_start", names[1]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], names[^3..]);
        Assert.All(names[2..^3], n => Assert.Equal("content_block_delta", n));
        Assert.Equal("echo: one two three", NamedSse.Text(events));
        Assert.DoesNotContain("[DONE]", raw, StringComparison.Ordinal);
        var delta = events.Single(e => e.Name == "message_delta").Data;
        Assert.Equal("end_turn", delta["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal(5, delta["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(4, delta["usage"]!["output_tokens"]!.GetValue<int>());
        Assert.True(upstream.Requests[0].Json["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Stream_ToolCallBecomesAToolUseBlockStreamedAsItArrives()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Role()),
            SseStep.Data(Chunks.ToolCall(0, "call_1", "Write", "")),
            SseStep.Data(Chunks.ToolCall(0, null, null, "{\"path\":")),
            SseStep.Data(Chunks.ToolCall(0, null, null, "\"a.txt\"}")),
            SseStep.Data(Chunks.Finish("tool_calls")),
            SseStep.Data(Chunks.Usage(9, 4)),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true, extra: """
            "tools":[{"name":"Write","input_schema":{"type":"object"}}],
            """));

        var start = events.Single(e => e.Name == "content_block_start").Data["content_block"]!;
        Assert.Equal("tool_use", start["type"]!.GetValue<string>());
        Assert.Equal("call_1", start["id"]!.GetValue<string>());
        Assert.Equal("Write", start["name"]!.GetValue<string>());
        var json = events.Where(e => e.Name == "content_block_delta").Select(e => e.Data["delta"]!).ToList();
        Assert.All(json, d => Assert.Equal("input_json_delta", d["type"]!.GetValue<string>()));
        Assert.Equal("{\"path\":\"a.txt\"}", string.Concat(json.Select(d => d["partial_json"]!.GetValue<string>())));
        Assert.Equal("tool_use", events.Single(e => e.Name == "message_delta").Data["delta"]!["stop_reason"]!.GetValue<string>());
        var tools = upstream.Requests[0].Json["tools"]!.AsArray();
        Assert.Equal("Write", tools[0]!["function"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToolRoundTrip_ResultsGoUpstreamAsToolMessagesAfterTheirCall()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        const string history = """
            {"model":"gpt-test","max_tokens":50,"tools":[{"name":"Read","input_schema":{"type":"object"}}],"messages":[
              {"role":"user","content":"read it"},
              {"role":"assistant","content":[{"type":"text","text":""},{"type":"tool_use","id":"toolu_1","name":"Read","input":{}},{"type":"tool_use","id":"toolu_2","name":"Read","input":{"p":1}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"one"},{"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"two"}],"is_error":true}]}]}
            """;

        using var response = await gateway.Client.PostAsync(history, Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = upstream.Requests[0].Json["messages"]!.AsArray();
        Assert.Equal(4, messages.Count);
        var assistant = messages[1]!;
        Assert.Null(assistant["content"]); // the empty text block is dropped, not sent as ""
        Assert.Equal("{}", assistant["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal("{\"p\":1}", assistant["tool_calls"]![1]!["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal("tool", messages[2]!["role"]!.GetValue<string>());
        Assert.Equal("toolu_1", messages[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("two", messages[3]!["content"]!.GetValue<string>());
    }

    // Regression: Claude Code 2.1 sends role "system" inside messages (the mid-conversation-system beta);
    // it was refused as a 400 before the first turn.
    [Fact]
    public async Task MidConversationSystemMessage_StaysInPlaceForAnOpenAIUpstream()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        const string body = """
            {"model":"gpt-test","max_tokens":50,"system":[{"type":"text","text":"top"}],"messages":[
              {"role":"user","content":[{"type":"text","text":"hello"}]},
              {"role":"system","content":"Available agent types: none"},
              {"role":"assistant","content":"hi"},
              {"role":"user","content":"again"}]}
            """;

        using var response = await gateway.Client.PostAsync(body, Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = upstream.Requests[0].Json["messages"]!.AsArray();
        Assert.Equal(["system", "user", "system", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("Available agent types: none", messages[2]!["content"]!.GetValue<string>());
    }

    // Regression: the JSON answer of an upstream that did not stream was decoded twice, so a tool call's id
    // counted as already given out and the client got a generated one instead of the upstream's.
    [Fact]
    public async Task StreamAnsweredWithJson_KeepsTheUpstreamsToolCallId()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.ToolCompletion("Write", "{\"a\":1}", id: "call_keep")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        var block = events.Single(e => e.Name == "content_block_start").Data["content_block"]!;
        Assert.Equal("call_keep", block["id"]!.GetValue<string>());
        Assert.Equal(0, events.Single(e => e.Name == "content_block_start").Data["index"]!.GetValue<int>());
        Assert.Equal("tool_use", events.Single(e => e.Name == "message_delta").Data["delta"]!["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_UseTheAnthropicEnvelopeAndTypes()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("cc", "sk-client")));

        using var unauthorized = await gateway.Client.PostAsync(Requests.Message(), Requests.MessagesPath);
        using var badJson = await gateway.Client.PostAsync("{", Requests.MessagesPath, r => r.Headers.Add("x-api-key", "sk-client"));
        using var unknown = await gateway.Client.PostAsync(Requests.Message().Replace("gpt-test", "nope", StringComparison.Ordinal), Requests.MessagesPath, r => r.Headers.Add("x-api-key", "sk-client"));
        using var badRole = await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"tool","content":"x"}]}""", Requests.MessagesPath, r => r.Bearer("sk-client"));

        await AssertError(unauthorized, HttpStatusCode.Unauthorized, "authentication_error");
        await AssertError(badJson, HttpStatusCode.BadRequest, "invalid_request_error");
        await AssertError(unknown, HttpStatusCode.NotFound, "not_found_error");
        var role = await AssertError(badRole, HttpStatusCode.BadRequest, "invalid_request_error");
        Assert.Contains("messages.0.role", role, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task OwnRateLimit_Is429RateLimitErrorWithRetryAfter()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Limits:RequestsPerSecond", 1).Set("Limits:Burst", 1));

        using var first = await gateway.Client.PostAsync(Requests.Message(), Requests.MessagesPath);
        using var second = await gateway.Client.PostAsync(Requests.Message(), Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertError(second, HttpStatusCode.TooManyRequests, "rate_limit_error");
        Assert.NotNull(second.Headers.RetryAfter);
    }

    [Fact]
    public async Task UpstreamClientMistake_KeepsStatusAndWordingInTheAnthropicEnvelope()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Status(400, "This model's maximum context length is 8192 tokens."));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Message(), Requests.MessagesPath);

        var message = await AssertError(response, HttpStatusCode.BadRequest, "invalid_request_error");
        Assert.Equal("This model's maximum context length is 8192 tokens.", message);
    }

    [Fact]
    public async Task UpstreamCredentialFailure_Is502ApiErrorWithAFixedMessage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Default = Scripts.Status(401, "Incorrect API key provided: sk-up***");
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Message(stream: true), Requests.MessagesPath);

        var message = await AssertError(response, HttpStatusCode.BadGateway, "api_error");
        Assert.DoesNotContain("sk-up", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailoverBeforeContent_SecondUpstreamAnswers()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Sse(SseStep.Data(Chunks.Role()), SseStep.Text("event: error\ndata: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n"));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        var (response, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", NamedSse.Text(events));
        Assert.Single(events, e => e.Name == "message_start");
        Assert.Single(b.Requests);
    }

    // ecosystem.md §4 item 10: after content, an interruption is an error event, never a fake stop.
    [Fact]
    public async Task InterruptedAfterContent_EndsWithAnErrorEventAndNoMessageStop()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("partial")), SseStep.Delay(200), new SseStep.Reset()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (response, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("partial", NamedSse.Text(events));
        var last = events[^1];
        Assert.Equal("error", last.Name);
        Assert.Equal("api_error", last.Data["error"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Name is "message_stop" or "message_delta");
    }

    [Fact]
    public async Task LongHoldback_CommitsAndSendsPingEventsBeforeTheFirstContent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role()), SseStep.Delay(1500), SseStep.Data(Chunks.Content("late")), SseStep.Data(Chunks.Finish()), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Streaming:CommitAfterSeconds", 0.2).Set("Streaming:KeepAliveSeconds", 0.4));

        var (response, events, raw) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var firstStart = events.FindIndex(e => e.Name == "message_start");
        Assert.True(firstStart >= 2, raw);
        Assert.All(events.Take(firstStart), e => Assert.Equal("ping", e.Name));
        Assert.Equal("late", NamedSse.Text(events));
        Assert.Equal("message_stop", events[^1].Name);
    }

    [Fact]
    public async Task Reasoning_BecomesAThinkingBlockThatGoesBackOnlyToItsProvider()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Reasoning("deep thought")), SseStep.Data(Chunks.Content("42")), SseStep.Data(Chunks.Finish()), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(new TestConfig()
            .Provider("a", a.BaseUrl, "fake-model").Provider("b", b.BaseUrl, "fake-model")
            .Model("gpt-test", ("a", "fake-model")).Model("other", ("b", "fake-model")));

        var (_, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));
        var thinking = string.Concat(events.Where(e => e.Name == "content_block_delta" && e.Data["delta"]!["type"]!.GetValue<string>() == "thinking_delta").Select(e => e.Data["delta"]!["thinking"]!.GetValue<string>()));
        var signature = events.Single(e => e.Name == "content_block_delta" && e.Data["delta"]!["type"]!.GetValue<string>() == "signature_delta").Data["delta"]!["signature"]!.GetValue<string>();
        Assert.Equal("deep thought", thinking);
        Assert.Equal("42", NamedSse.Text(events));

        // Claude Code sends the block back as it got it: to the same provider it is reasoning_content, to another it is dropped.
        string Next(string model) => $$"""
            {"model":"{{model}}","max_tokens":50,"messages":[{"role":"user","content":"q"},
             {"role":"assistant","content":[{"type":"thinking","thinking":"deep thought","signature":"{{signature}}"},{"type":"text","text":"42"}]},
             {"role":"user","content":"and?"}]}
            """;
        using var same = await gateway.Client.PostAsync(Next("gpt-test"), Requests.MessagesPath);
        using var other = await gateway.Client.PostAsync(Next("other"), Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal("deep thought", a.Requests[1].Json["messages"]![1]!["reasoning_content"]!.GetValue<string>());
        Assert.Null(b.Requests[0].Json["messages"]![1]!["reasoning_content"]);
    }

    [Fact]
    public async Task CountTokens_IsCountedWithTheTokenizer()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var small = await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""", "/v1/messages/count_tokens");
        using var large = await gateway.Client.PostAsync("""{"model":"gpt-test","system":"You are a careful assistant who reads everything twice.","tools":[{"name":"Read","description":"Read a file from disk","input_schema":{"type":"object","properties":{"path":{"type":"string"}}}}],"messages":[{"role":"user","content":"hi"}]}""", "/v1/messages/count_tokens");

        var smallCount = JsonNode.Parse(await small.Content.ReadAsStringAsync())!["input_tokens"]!.GetValue<int>();
        var largeCount = JsonNode.Parse(await large.Content.ReadAsStringAsync())!["input_tokens"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.InRange(smallCount, 1, 20);
        Assert.True(largeCount > smallCount + 20, $"{largeCount} vs {smallCount}");
        Assert.Empty(upstream.Requests);
        var line = await gateway.Logs.WaitForRequestLineAsync();
        Assert.Equal("messages_count_tokens", line["route"]);
        Assert.Equal("true", line["usage_estimated"]);
    }

    [Fact]
    public async Task NGreaterThanOneOnATranslatedPath_IsNotServedAsTwoChoices()
    {
        // n is an OpenAI field; an Anthropic request has one answer. The OpenAI upstream never sees n.
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Message(extra: "\"n\":2,"), Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(upstream.Requests[0].Json["n"]);
    }

    private static async Task<string> AssertError(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("error", body["type"]!.GetValue<string>());
        Assert.Equal(type, body["error"]!["type"]!.GetValue<string>());
        return body["error"]!["message"]!.GetValue<string>();
    }
}
