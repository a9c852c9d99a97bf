using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Protocols;

/// <summary>Anthropic Messages clients against an Anthropic-kind upstream: the byte path, with only the listed fixes.</summary>
public sealed class AnthropicPassThroughTests
{
    private static TestConfig Claude(FakeUpstreamServer upstream) =>
        new TestConfig().AnthropicProvider("claude", upstream.BaseUrl, "claude-x").Model("gpt-test", ("claude", "claude-x"));

    [Fact]
    public async Task Request_GoesUpstreamAsSentWithTheModelAndHeadersSet()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream).Bearer(("cc", "sk-client")));
        const string body = """{"model":"gpt-test","max_tokens":64,"future_field":{"kept":[1,2]},"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":2}],"context_management":{"edits":[]},"messages":[{"role":"user","content":"hello"}]}""";

        using var response = await gateway.Client.PostAsync(body, Requests.MessagesPath, r =>
        {
            r.Headers.Add("x-api-key", "sk-client");
            r.Headers.Add("anthropic-version", "2023-06-01");
            r.Headers.Add("anthropic-beta", "context-management-2025-06-27,interleaved-thinking-2025-05-14");
            r.Headers.Add("Cookie", "secret=1");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal(body.Replace("\"gpt-test\"", "\"claude-x\"", StringComparison.Ordinal), sent.BodyText);
        Assert.Equal("sk-upstream-claude", sent.Header("x-api-key"));
        Assert.Equal("2023-06-01", sent.Header("anthropic-version"));
        Assert.Equal("context-management-2025-06-27,interleaved-thinking-2025-05-14", sent.Header("anthropic-beta"));
        Assert.Null(sent.Header("Cookie"));
        Assert.Null(sent.Header("Authorization"));
    }

    [Fact]
    public async Task Betas_AreFilteredByTheProvidersAllowList_AndAMissingMaxTokensIsFilledIn()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream)
            .ProviderSetting("claude", "AnthropicBetas:0", "interleaved-thinking-2025-05-14")
            .ProviderSetting("claude", "DefaultMaxTokens", 777));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"x"}]}""", Requests.MessagesPath,
            r => r.Headers.Add("anthropic-beta", "context-1m-2025-08-07, interleaved-thinking-2025-05-14"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.Requests[0];
        Assert.Equal("interleaved-thinking-2025-05-14", sent.Header("anthropic-beta"));
        Assert.Equal("2023-06-01", sent.Header("anthropic-version"));
        Assert.Equal(777, sent.Json["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stream_EventsAreForwardedAsTheUpstreamSentThem()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var steps = new[]
        {
            AnthropicEvents.MessageStart(7), AnthropicEvents.Ping(), AnthropicEvents.TextStart(0), AnthropicEvents.TextDelta(0, "Hé"),
            AnthropicEvents.TextDelta(0, "llo"), AnthropicEvents.BlockStop(0), AnthropicEvents.MessageDelta("end_turn", 2), AnthropicEvents.MessageStop(),
        };
        upstream.Enqueue(Scripts.Sse(steps));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        var (response, events, raw) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = string.Concat(steps.Cast<SseStep.Raw>().Select(s => Encoding.UTF8.GetString(s.Bytes)));
        Assert.Equal(expected.Replace("data: {\"type\": \"ping\"}", "data: {\"type\":\"ping\"}", StringComparison.Ordinal), raw);
        Assert.Equal("Héllo", NamedSse.Text(events));
        var line = await gateway.Logs.WaitForRequestLineAsync();
        Assert.Equal("7", line["prompt_tokens"]);
        Assert.Equal("2", line["completion_tokens"]);
    }

    // SPEC §4: an Anthropic client gets the Anthropic upstream's error body unmodified (Claude Code matches its wording).
    [Fact]
    public async Task UpstreamClientMistake_ReachesTheClientByteForByte()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var error = AnthropicEvents.ErrorBody("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum");
        upstream.Enqueue(Scripts.Json(error, 400));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        using var response = await gateway.Client.PostAsync(Requests.Message(stream: true), Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ErrorEventAfterContent_IsForwardedAsTheUpstreamSentIt()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(AnthropicEvents.MessageStart(), AnthropicEvents.TextStart(0), AnthropicEvents.TextDelta(0, "part"), AnthropicEvents.Error("overloaded_error", "Overloaded")));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        var (_, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal("error", events[^1].Name);
        Assert.Equal("overloaded_error", events[^1].Data["error"]!["type"]!.GetValue<string>());
        Assert.Equal("Overloaded", events[^1].Data["error"]!["message"]!.GetValue<string>());
        Assert.Single(events, e => e.Name == "error");
    }

    [Fact]
    public async Task StreamEndingWithoutMessageStop_IsCompletedWhenTheStopReasonCame_AndAnErrorWhenNot()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Sse(AnthropicEvents.MessageStart(), AnthropicEvents.TextStart(0), AnthropicEvents.TextDelta(0, "a"), AnthropicEvents.BlockStop(0), AnthropicEvents.MessageDelta()),
            Scripts.Sse(AnthropicEvents.MessageStart(), AnthropicEvents.TextStart(0), AnthropicEvents.TextDelta(0, "b")));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        var (_, complete, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));
        var (_, cut, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal("message_stop", complete[^1].Name);
        Assert.Equal("error", cut[^1].Name);
        Assert.Equal("api_error", cut[^1].Data["error"]!["type"]!.GetValue<string>());
    }

    // Regression: a cut-off usage event escaped the codec — a 500 before content (no failover), a connection
    // dropped without an error event after it.
    [Fact]
    public async Task CutOffEvent_BeforeContentFailsOver_AfterContentEndsWithAnErrorEvent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Sse(SseStep.Text("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5}\n\n")),
            Scripts.Sse(AnthropicEvents.TextStream("second")),
            Scripts.Sse(AnthropicEvents.MessageStart(), AnthropicEvents.TextStart(0), AnthropicEvents.TextDelta(0, "part"),
                SseStep.Text("event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":\n\n")));
        await using var gateway = await GatewayApp.StartAsync(new TestConfig()
            .AnthropicProvider("claude", upstream.BaseUrl, "claude-x").AnthropicProvider("claude2", upstream.BaseUrl, "claude-x")
            .ProviderSetting("claude2", "Weight", 0)
            .Model("gpt-test", ("claude", "claude-x"), ("claude2", "claude-x")));

        var (first, failedOver, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));
        var (_, cut, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("second", NamedSse.Text(failedOver));
        Assert.Equal("message_stop", failedOver[^1].Name);
        Assert.Equal("part", NamedSse.Text(cut));
        Assert.Equal("error", cut[^1].Name);
        Assert.DoesNotContain(cut, e => e.Name == "message_stop");
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    // Regression: only an event's "type" was read, so a delta cut off after it reached the client as it was
    // (the client's SDK then failed on JSON it could not parse instead of getting the stream's error event).
    [Fact]
    public async Task CutOffDeltaAfterContent_IsNotForwarded_TheStreamEndsWithAnErrorEvent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(AnthropicEvents.MessageStart(), AnthropicEvents.TextStart(0), AnthropicEvents.TextDelta(0, "part"),
            SseStep.Text("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\n\n")));
        await using var gateway = await GatewayApp.StartAsync(new TestConfig()
            .AnthropicProvider("claude", upstream.BaseUrl, "claude-x")
            .Model("gpt-test", ("claude", "claude-x")));

        var (response, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("part", NamedSse.Text(events));
        Assert.Equal("error", events[^1].Name);
        Assert.Equal("api_error", events[^1].Data["error"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Name == "message_stop");
    }

    // Regression: count_tokens counted locally (its Anthropic target failed) read the body unguarded: a 500.
    [Fact]
    public async Task CountTokens_LocalCountOfAnUndecodableString_Is400NamingIt()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Status(500));
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream).Set("Routing:MaxAttempts", 1));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"a\udc00"}]}""", "/v1/messages/count_tokens");
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", error["type"]!.GetValue<string>());
        Assert.Contains("messages[0].content", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overloaded529_FailsOverToAnOpenAIKindTargetInTheClientsFormat()
    {
        await using var claude = await FakeUpstreamServer.StartAsync();
        await using var openai = await FakeUpstreamServer.StartAsync();
        claude.AnthropicDefault = Scripts.Json(AnthropicEvents.ErrorBody("overloaded_error", "Overloaded"), 529);
        await using var gateway = await GatewayApp.StartAsync(new TestConfig()
            .AnthropicProvider("claude", claude.BaseUrl, "claude-x").Provider("openai", openai.BaseUrl, "gpt-x")
            .ProviderSetting("openai", "Weight", 0)
            .Model("gpt-test", ("claude", "claude-x"), ("openai", "gpt-x")));

        var (response, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", NamedSse.Text(events));
        Assert.Equal("message_stop", events[^1].Name);
        Assert.Single(claude.Requests);
        Assert.Equal("/v1/chat/completions", Assert.Single(openai.Requests).Path);
    }

    // "invalid signature in thinking block": a signature goes back only to the provider that made it.
    [Fact]
    public async Task Signatures_AreTaggedForTheClientAndSentBackOnlyToTheirProvider()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Sse(
            AnthropicEvents.MessageStart(), AnthropicEvents.ThinkingStart(0), AnthropicEvents.ThinkingDelta(0, "hmm"), AnthropicEvents.SignatureDelta(0, "SIG-A=="),
            AnthropicEvents.BlockStop(0), AnthropicEvents.TextStart(1), AnthropicEvents.TextDelta(1, "ok"), AnthropicEvents.BlockStop(1),
            AnthropicEvents.MessageDelta(), AnthropicEvents.MessageStop()));
        await using var gateway = await GatewayApp.StartAsync(new TestConfig()
            .AnthropicProvider("a", a.BaseUrl, "claude-x").AnthropicProvider("b", b.BaseUrl, "claude-x")
            .Model("gpt-test", ("a", "claude-x")).Model("other", ("b", "claude-x")));

        var (_, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message(stream: true));
        var signature = events.Single(e => e.Data["delta"]?["type"]?.GetValue<string>() == "signature_delta").Data["delta"]!["signature"]!.GetValue<string>();
        Assert.NotEqual("SIG-A==", signature);
        Assert.EndsWith("~SIG-A==", signature, StringComparison.Ordinal);

        string Next(string model) => $$"""
            {"model":"{{model}}","max_tokens":50,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"q"},
             {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"{{signature}}"},{"type":"text","text":"ok"}]},
             {"role":"assistant","content":[{"type":"thinking","thinking":"direct","signature":"UNTAGGED=="}]},
             {"role":"user","content":"and?"}]}
            """;
        using var same = await gateway.Client.PostAsync(Next("gpt-test"), Requests.MessagesPath);
        using var other = await gateway.Client.PostAsync(Next("other"), Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var toA = a.Requests[1].Json["messages"]!.AsArray();
        Assert.Equal("SIG-A==", toA[1]!["content"]![0]!["signature"]!.GetValue<string>());
        Assert.Equal("UNTAGGED==", toA[2]!["content"]![0]!["signature"]!.GetValue<string>());
        var toB = b.Requests[0].Json["messages"]!.AsArray();
        Assert.Equal("text", toB[1]!["content"]![0]!["type"]!.GetValue<string>());
        Assert.Single(toB[1]!["content"]!.AsArray());
        Assert.Equal("UNTAGGED==", toB[2]!["content"]![0]!["signature"]!.GetValue<string>());
    }

    // Regression: a repeated key inside a message the pass-through rewrites was refused (the DOM threw); the last one wins.
    [Fact]
    public async Task DuplicatePropertyInARewrittenMessage_LastOneWins()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));
        const string body = """{"model":"gpt-test","max_tokens":5,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"text","text":"x","text":"y"},{"type":"thinking","thinking":"x","signature":"gw1~a12345678~S","type":"thinking"}]},{"role":"user","content":"again"}]}""";

        using var response = await gateway.Client.PostAsync(body, Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var assistant = Assert.Single(upstream.Requests).Json["messages"]![1]!;
        Assert.Equal("""[{"type":"text","text":"y"}]""", assistant["content"]!.ToJsonString());
    }

    [Fact]
    public async Task CountTokens_IsForwardedToTheAnthropicUpstream()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.CountTokensAnswer = 1234;
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""", "/v1/messages/count_tokens",
            r => r.Headers.Add("anthropic-version", "2023-06-01"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1234, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["input_tokens"]!.GetValue<int>());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/messages/count_tokens", sent.Path);
        Assert.Equal("claude-x", sent.Json["model"]!.GetValue<string>());
        Assert.Null(sent.Json["max_tokens"]);
    }

    [Fact]
    public async Task NonStream_MessageIsRelayedWithItsUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Claude(upstream));

        using var response = await gateway.Client.PostAsync(Requests.Message(), Requests.MessagesPath);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", body["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("claude-fake", body["model"]!.GetValue<string>());
        var line = await gateway.Logs.WaitForRequestLineAsync();
        Assert.Equal("5", line["prompt_tokens"]);
        Assert.Equal("stop", line["end_reason"]);
    }
}
