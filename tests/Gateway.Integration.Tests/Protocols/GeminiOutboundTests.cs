using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Protocols;

/// <summary>
/// Every inbound format against a Gemini-kind upstream (the fake's Gemini routes): the URL, key and body
/// Gemini gets, the answer in each client's shape, thoughtSignatures round-tripping through each client
/// format, Gemini's error statuses, failover between Gemini and the other kinds, the model list and
/// <c>:countTokens</c>.
/// </summary>
public sealed class GeminiOutboundTests
{
    private const string Tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"read\",\"parameters\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}}}]";
    private const string Signature = "R0VNSU5JLVNJRw==";

    private static TestConfig Gemini(FakeUpstreamServer upstream) =>
        new TestConfig().GeminiProvider("gemini", upstream.Root + "v1beta", "gemini-x").Model("gpt-test", ("gemini", "gemini-x"));

    private static Script SignedCall(string? id = null, bool thought = true) => Scripts.Sse(
        thought ? GeminiEvents.Event(GeminiEvents.Response(new JsonArray(GeminiEvents.Thought("Need the file.")), usage: GeminiEvents.Usage(20, 0))) : SseStep.Text(string.Empty),
        GeminiEvents.Event(GeminiEvents.Response(
            new JsonArray(GeminiEvents.Call("read", new JsonObject { ["path"] = "a.txt" }, id, Signature), GeminiEvents.Call("read", new JsonObject { ["path"] = "b.txt" })),
            "STOP",
            GeminiEvents.Usage(20, 9, thoughts: 4))));

    [Fact]
    public async Task OpenAIChat_NonStream_IsAGenerateContentCallWithTheKeyInItsHeader()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","max_tokens":50,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}]}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", body["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("stop", body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(5, body["usage"]!["prompt_tokens"]!.GetValue<int>());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1beta/models/gemini-x:generateContent", sent.Path);
        Assert.Equal("gemini-key-gemini", sent.Header("x-goog-api-key"));
        Assert.Null(sent.Header("Authorization"));
        Assert.Null(sent.Json["model"]);
        Assert.Equal("be brief", sent.Json["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("hello", sent.Json["contents"]![0]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(50, sent.Json["generationConfig"]!["maxOutputTokens"]!.GetValue<int>());
    }

    // ecosystem.md §4 item 9: the signature rides on the call as extra_content and comes back on the functionCall.
    [Fact]
    public async Task OpenAIChat_Stream_ToolCallCarriesTheSignatureAndItGoesBackOnTheCall()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(SignedCall());
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));

        var (response, events, _) = await gateway.Client.StreamAsync("{\"model\":\"gpt-test\",\"stream\":true," + Tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"read both\"}]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith(":streamGenerateContent?alt=sse", upstream.Requests[0].Path, StringComparison.Ordinal);
        var calls = SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray()).SelectMany(c => c!["delta"]?["tool_calls"]?.AsArray() ?? []).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(0, calls[0]!["index"]!.GetValue<int>());
        Assert.StartsWith("call_", calls[0]!["id"]!.GetValue<string>(), StringComparison.Ordinal);
        var carried = calls[0]!["extra_content"]!["google"]!["thought_signature"]!.GetValue<string>();
        Assert.EndsWith("~" + Signature, carried, StringComparison.Ordinal);
        Assert.Null(calls[1]!["extra_content"]);
        Assert.Equal("tool_calls", SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["finish_reason"]?.GetValue<string>()).Last(f => f is not null));

        var assistant = new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(calls.Select(c => c!.DeepClone()).ToArray()) };
        foreach (var call in assistant["tool_calls"]!.AsArray())
        {
            call!.AsObject().Remove("index");
        }

        var next = new JsonObject
        {
            ["model"] = "gpt-test",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "read both" },
                assistant,
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = calls[1]!["id"]!.GetValue<string>(), ["content"] = "B" },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = calls[0]!["id"]!.GetValue<string>(), ["content"] = "A" }),
        };
        using var second = await gateway.Client.PostAsync(next.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var contents = upstream.Requests[^1].Json["contents"]!.AsArray();
        var model = contents[1]!["parts"]!.AsArray();
        Assert.Equal(Signature, model[0]!["thoughtSignature"]!.GetValue<string>());
        Assert.Null(model[0]!["functionCall"]!["id"]);
        Assert.Null(model[1]!["thoughtSignature"]);
        var results = contents[2]!["parts"]!.AsArray();
        Assert.Equal("A", results[0]!["functionResponse"]!["response"]!["output"]!.GetValue<string>());
        Assert.Equal("read", results[0]!["functionResponse"]!["name"]!.GetValue<string>());
        Assert.Equal("B", results[1]!["functionResponse"]!["response"]!["output"]!.GetValue<string>());
    }

    // A client that drops extra_content (most do): the signature store puts it back by tool-call id.
    [Fact]
    public async Task OpenAIChat_ClientWithoutExtraContent_GetsTheSignatureFromTheStore()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(SignedCall(id: "fc-1", thought: false));
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream).Bearer(("team", "sk-team")));

        var (_, events, raw) = await gateway.Client.StreamAsync("{\"model\":\"gpt-test\",\"stream\":true," + Tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", r => r.Bearer("sk-team"));
        Assert.Contains("tool_calls", raw, StringComparison.Ordinal);
        var id = SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["delta"]?["tool_calls"]?[0]?["id"]?.GetValue<string>()).First(i => i is not null);
        Assert.Equal("fc-1", id);

        var next = """{"model":"gpt-test","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[{"id":"fc-1","type":"function","function":{"name":"read","arguments":"{\"path\":\"a.txt\"}"}}]},{"role":"tool","tool_call_id":"fc-1","content":"A"}]}""";
        for (var i = 0; ; i++)
        {
            // The signature is written off the response path: the first follow-up may come before it.
            using var second = await gateway.Client.PostAsync(next, configure: r => r.Bearer("sk-team"));
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            var call = upstream.Requests[^1].Json["contents"]![1]!["parts"]![0]!;
            if (call["thoughtSignature"]!.GetValue<string>() == Signature || i == 50)
            {
                Assert.Equal(Signature, call["thoughtSignature"]!.GetValue<string>());
                Assert.Equal("fc-1", call["functionCall"]!["id"]!.GetValue<string>());
                break;
            }

            await Task.Delay(20);
        }
    }

    // Claude Code on Gemini: the signature travels as a thinking block's signature and comes back verbatim.
    [Fact]
    public async Task Anthropic_Stream_SignatureIsAThinkingBlockAndGoesBackOnTheCall()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(SignedCall());
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));
        const string tools = "\"tools\":[{\"name\":\"read\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}}]";

        var (response, events, _) = await gateway.Client.MessagesStreamAsync("{\"model\":\"gpt-test\",\"max_tokens\":2000,\"stream\":true,\"thinking\":{\"type\":\"adaptive\"}," + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"read both\"}]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(upstream.Requests[0].Json["generationConfig"]!["thinkingConfig"]!["includeThoughts"]!.GetValue<bool>());
        var blocks = Rebuild(events);
        // The thought and the signature Gemini put on the call make one signed thinking block before the calls.
        Assert.Equal(["thinking", "tool_use", "tool_use"], blocks.Select(b => b["type"]!.GetValue<string>()));
        Assert.Equal("Need the file.", blocks[0]["thinking"]!.GetValue<string>());
        Assert.EndsWith("~" + Signature, blocks[0]["signature"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("tool_use", events.Last(e => e.Name == "message_delta").Data["delta"]!["stop_reason"]!.GetValue<string>());

        var history = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "read both" }, new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray([.. blocks]) });
        history.Add(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = blocks[1]["id"]!.GetValue<string>(), ["content"] = "A" },
                new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = blocks[2]["id"]!.GetValue<string>(), ["content"] = "B" }),
        });
        using var second = await gateway.Client.PostAsync(new JsonObject { ["model"] = "gpt-test", ["max_tokens"] = 100, ["messages"] = history }.ToJsonString(), Requests.MessagesPath);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var model = upstream.Requests[^1].Json["contents"]![1]!["parts"]!.AsArray();
        Assert.Equal(2, model.Count);
        Assert.Equal(Signature, model[0]!["thoughtSignature"]!.GetValue<string>());
    }

    [Fact]
    public async Task Responses_Stream_TextAndCompletedResponseFromGemini()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","stream":true,"input":"hello there"}""", "/v1/responses");
        var events = NamedSse.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal("echo: hello there", string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Data["delta"]!.GetValue<string>())));
        Assert.EndsWith(":streamGenerateContent?alt=sse", upstream.Requests[0].Path, StringComparison.Ordinal);
    }

    // Regression: a whole answer in one upstream event (text and finish together, as Gemini sends short answers)
    // to an OpenAI client that did not ask for usage was held back whole, so the attempt read as one that
    // never produced content and failed with upstream_bad_response.
    [Fact]
    public async Task Regression_AnswerInOneEventWithoutUsageRequested_IsStreamed()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(GeminiEvents.Event(GeminiEvents.Response(new JsonArray(GeminiEvents.Text("Hi")), "STOP", GeminiEvents.Usage(3, 1)))));
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hi", SseText.Content(events));
        var finish = SseText.Chunks(events).Last();
        Assert.Equal("stop", finish["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(4, finish["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.True(events[^1].IsDone);
    }

    [Fact]
    public async Task StreamErrorAfterContent_EndsWithStreamInterrupted()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            GeminiEvents.Event(GeminiEvents.Response(new JsonArray(GeminiEvents.Text("Partial")))),
            SseStep.Data(GeminiEvents.ErrorBody(503, "UNAVAILABLE", "The model is overloaded."))));
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStreamUsage);

        Assert.Equal("Partial", SseText.Content(events));
        Assert.Contains(events, e => !e.IsDone && e.Json["error"]?["code"]?.GetValue<string>() == "stream_interrupted");
        Assert.True(events[^1].IsDone);
    }

    // SPEC §4: RESOURCE_EXHAUSTED is retryable (even though its text speaks of quota and billing): the next candidate answers.
    [Fact]
    public async Task ResourceExhausted_FailsOverToAnotherKind()
    {
        await using var gemini = await FakeUpstreamServer.StartAsync();
        await using var openai = await FakeUpstreamServer.StartAsync();
        gemini.Enqueue(GeminiEvents.Error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details."));
        var config = new TestConfig().GeminiProvider("gemini", gemini.Root + "v1beta", "gemini-x").Provider("openai", openai.BaseUrl, "gpt-x")
            .Model("gpt-test", ("gemini", "gemini-x"), ("openai", "gpt-x")).Set("Providers:openai:Weight", 0);
        await using var gateway = await GatewayApp.StartAsync(config);

        var (response, events, _) = await gateway.Client.MessagesStreamAsync(Requests.Message("hi there", stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hi there", NamedSse.Text(events));
        Assert.Single(gemini.Requests);
        Assert.Single(openai.Requests);
    }

    [Fact]
    public async Task OpenAIKindFailure_FailsOverToGemini()
    {
        await using var gemini = await FakeUpstreamServer.StartAsync();
        await using var openai = await FakeUpstreamServer.StartAsync();
        openai.Enqueue(Scripts.Status(500));
        var config = new TestConfig().Provider("openai", openai.BaseUrl, "gpt-x").GeminiProvider("gemini", gemini.Root + "v1beta", "gemini-x")
            .Model("gpt-test", ("openai", "gpt-x"), ("gemini", "gemini-x")).Set("Providers:gemini:Weight", 0);
        await using var gateway = await GatewayApp.StartAsync(config);

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStreamUsage);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.Single(gemini.Requests);
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", "API_KEY_INVALID", "API key not valid. Please pass a valid API key.")]
    [InlineData(403, "PERMISSION_DENIED", null, "Permission denied on resource project.")]
    public async Task CredentialErrors_Are502UpstreamAuthErrorWithoutGeminisWords(int code, string status, string? reason, string message)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(GeminiEvents.Error(code, status, message, reason));
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_auth_error", JsonNode.Parse(text)!["error"]!["code"]!.GetValue<string>());
        Assert.DoesNotContain(message, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidArgument_KeepsTheClientMistakeRuleInTheClientsEnvelope()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(GeminiEvents.Error(400, "INVALID_ARGUMENT", "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576)."));
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));

        using var response = await gateway.Client.PostAsync(Requests.Message("long"), Requests.MessagesPath);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", body["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", body["error"]!["type"]!.GetValue<string>());
        Assert.Contains("exceeds the maximum number of tokens", body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task ModelList_IsGeminisPagedListOfGenerateContentModels()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Models = ["gemini-a", "gemini-b"];
        upstream.GeminiModelsPageSize = 1;
        var config = new TestConfig().Set("Providers:gemini:Kind", "Gemini").Set("Providers:gemini:BaseUrl", upstream.Root + "v1beta")
            .Set("Providers:gemini:ApiKey", "g-key").Model("gpt-test", ("gemini", "gemini-a"));
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.GetAsync("/v1/models");
        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();

        Assert.Contains("gemini-a", ids);
        Assert.Contains("gemini-b", ids);
        Assert.DoesNotContain(ids, id => id.StartsWith("models/", StringComparison.Ordinal) || id.Contains("embedding", StringComparison.Ordinal));
        Assert.True(upstream.ModelListRequests >= 3);
        Assert.All(upstream.ModelRequestHeaders, h => Assert.Equal("g-key", h["x-goog-api-key"]));
    }

    [Fact]
    public async Task CountTokens_IsGeminisCountTokens()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.CountTokensAnswer = 77;
        await using var gateway = await GatewayApp.StartAsync(Gemini(upstream));

        using var response = await gateway.Client.PostAsync(Requests.Message("count me"), Requests.MessagesPath + "/count_tokens");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(77, body["input_tokens"]!.GetValue<int>());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1beta/models/gemini-x:countTokens", sent.Path);
        Assert.Equal("models/gemini-x", sent.Json["generateContentRequest"]!["model"]!.GetValue<string>());
        Assert.Equal("count me", sent.Json["generateContentRequest"]!["contents"]![0]!["parts"]![0]!["text"]!.GetValue<string>());
    }

    // The content blocks of a streamed Anthropic message, as a client rebuilds them.
    private static List<JsonObject> Rebuild(List<NamedSse.Event> events)
    {
        var blocks = new List<JsonObject>();
        var json = new Dictionary<int, string>();
        foreach (var e in events)
        {
            switch (e.Name)
            {
                case "content_block_start":
                    var block = e.Data["content_block"]!.DeepClone().AsObject();
                    block.Remove("caller");
                    blocks.Add(block);
                    break;
                case "content_block_delta":
                    var index = e.Data["index"]!.GetValue<int>();
                    var delta = e.Data["delta"]!;
                    switch (delta["type"]!.GetValue<string>())
                    {
                        case "thinking_delta":
                            blocks[index]["thinking"] = blocks[index]["thinking"]!.GetValue<string>() + delta["thinking"]!.GetValue<string>();
                            break;
                        case "signature_delta":
                            blocks[index]["signature"] = delta["signature"]!.GetValue<string>();
                            break;
                        case "input_json_delta":
                            json[index] = json.GetValueOrDefault(index, string.Empty) + delta["partial_json"]!.GetValue<string>();
                            break;
                    }

                    break;
            }
        }

        foreach (var (index, text) in json)
        {
            blocks[index]["input"] = JsonNode.Parse(text);
        }

        return blocks;
    }
}
