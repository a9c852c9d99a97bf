using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.Integration.Tests.State;
using Xunit;

namespace Gateway.Integration.Tests.Server;

/// <summary>
/// The Native AOT executable (README, "Native AOT") as its own process, configured from the environment: what
/// trimming and ahead-of-time compilation could break — configuration binding (dictionaries, lists, enums, the
/// unknown-key check), every wire format and the chat-site tool loop, the tokenizer, Prometheus metrics, typed
/// Table Storage entities on Azurite — each on the paths the in-process tests cover in depth.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class NativeAotTests(AzuriteFixture azurite, NativeAotBinary binary) : IClassFixture<NativeAotBinary>
{
    private const string AdminKey = "admin-aot-secret";
    private const string ListTool = """{"type":"object","properties":{"dir":{"type":"string"}},"required":["dir"]}""";

    [Fact]
    public async Task EveryWireFormatAndTheToolLoop_Answer()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.ChatSiteDefault = upstream.Site.Answer(query =>
            query.Contains("[tool_result", StringComparison.Ordinal)
                ? "There are two files."
                : "Let me look.\n" + FakeUpstream.ChatSite.Call(FakeUpstream.ChatSite.Nonce(query)!, "list_dir", new { dir = "/tmp/ü" }));
        var config = new TestConfig()
            .Provider("openai", upstream.BaseUrl, "fake-model")
            .ProviderSetting("openai", "Headers:X-Team", "blue")
            .AnthropicProvider("claude", upstream.BaseUrl, "claude-x")
            .GeminiProvider("gemini", upstream.BaseUrl, "gemini-x")
            .ChatSiteProvider("site", upstream.BaseUrl, "site-model")
            .Model("gpt-test", ("openai", "fake-model"))
            .Model("claude-test", ("claude", "claude-x"))
            .Model("gemini-test", ("gemini", "gemini-x"))
            .Model("site-test", ("site", "site-model"))
            .Set("Auth:AdminKey", AdminKey)
            .Set("Cors:AllowedOrigins:0", "https://app.example");
        await using var server = await ServerProcess.StartAsync(ServerProcess.Environment(config), binary.Path);
        using var client = ClientOf(server);

        // OpenAI Chat Completions, whole and streamed, with the provider's extra header (a bound dictionary).
        using var chat = await client.PostAsync(Requests.Hello);
        var chatBody = JsonNode.Parse(await chat.Content.ReadAsStringAsync())!;
        var (streamed, events, _) = await client.StreamAsync(Requests.HelloStreamUsage);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("echo: hello", chatBody["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("blue", upstream.Requests[0].Header("X-Team"));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.NotNull(SseText.Chunks(events).Last()["usage"]);

        // Anthropic Messages in: translated to the OpenAI upstream, and passed through to the Anthropic one.
        var (translated, translatedEvents, _) = await client.MessagesStreamAsync(Requests.Message("hi there", stream: true));
        var (passed, passedEvents, _) = await client.MessagesStreamAsync(Requests.Message("hi there", stream: true).Replace("gpt-test", "claude-test", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, translated.StatusCode);
        Assert.Equal("message_stop", translatedEvents[^1].Name);
        Assert.Equal("echo: hi there", Text(translatedEvents, "content_block_delta", d => d["delta"]?["text"]));
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal("message_stop", passedEvents[^1].Name);
        Assert.Equal("/v1/messages", upstream.Requests[^1].Path);

        // OpenAI Responses in, to the Gemini upstream.
        using var responses = await client.PostAsync("""{"model":"gemini-test","stream":true,"input":"hello there"}""", "/v1/responses");
        var responseEvents = NamedSse.Parse(await responses.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, responses.StatusCode);
        Assert.Equal("response.completed", responseEvents[^1].Name);
        Assert.Equal("echo: hello there", Text(responseEvents, "response.output_text.delta", d => d["delta"]));
        Assert.EndsWith(":streamGenerateContent?alt=sse", upstream.Requests[^1].Path, StringComparison.Ordinal);

        // The chat-site tool loop: a call read from the site's text, its result folded into the next query.
        var tools = $$$"""[{"type":"function","function":{"name":"list_dir","description":"Lists a directory.","parameters":{{{ListTool}}}}}]""";
        using var first = await client.PostAsync($$"""{"model":"site-test","tools":{{tools}},"messages":[{"role":"user","content":"what is in /tmp/ü?"}]}""");
        var firstMessage = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!;
        var call = firstMessage["tool_calls"]![0]!;
        using var second = await client.PostAsync($$"""
            {"model":"site-test","tools":{{tools}},"messages":[
              {"role":"user","content":"what is in /tmp/ü?"},
              {"role":"assistant","content":"Let me look.","tool_calls":[{{call.ToJsonString()}}]},
              {"role":"tool","tool_call_id":"{{call["id"]}}","content":"a.txt\nb.txt"}]}
            """);
        var secondMessage = JsonNode.Parse(await second.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("list_dir", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal("/tmp/ü", JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!["dir"]!.GetValue<string>());
        Assert.Equal("There are two files.", secondMessage["content"]!.GetValue<string>());
        var query = upstream.Requests[^1].Json["request"]!["query"]!.GetValue<string>();
        Assert.Contains("[tool_result name=list_dir call=" + call["id"], query, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"list_dir\"", query, StringComparison.Ordinal); // the earlier call as the model wrote it

        // Counted locally with the embedded tokenizer; bad input in the client's envelope; CORS from a bound list.
        using var count = await client.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""", "/v1/messages/count_tokens");
        using var bad = await client.PostAsync("""{"model":"gpt-test","messages":[""");
        using var preflight = await client.SendAsync(HttpMethod.Options, "/v1/chat/completions", configure: r =>
        {
            r.Headers.TryAddWithoutValidation("Origin", "https://app.example");
            r.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        });
        Assert.Equal(HttpStatusCode.OK, count.StatusCode);
        Assert.InRange(JsonNode.Parse(await count.Content.ReadAsStringAsync())!["input_tokens"]!.GetValue<int>(), 1, 20);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid_json", JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("https://app.example", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());

        // Prometheus metrics of the traffic above (recorded once each response has ended, so a scrape may come first).
        const string SiteRequests = """gateway_requests_total\{[^}]*gateway_end_reason="tool_calls"[^}]*gen_ai_request_model="site-test"[^}]*\} 1""";
        var text = string.Empty;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10); DateTime.UtcNow < deadline && !Regex.IsMatch(text, SiteRequests); await Task.Delay(100))
        {
            using var metrics = await client.GetAsync("/metrics", r => r.Bearer(AdminKey));
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            text = await metrics.Content.ReadAsStringAsync();
        }

        Assert.True(Regex.IsMatch(text, SiteRequests), text);
    }

    [Fact]
    public async Task TableStorageState_OverridesAndTheModelList_RoundTripThroughTypedEntities()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Models = ["listed-a", "listed-b"];
        var prefix = AzuriteFixture.NewPrefix();
        var config = new TestConfig()
            .Provider("main", upstream.BaseUrl)
            .Model("gpt-test", ("main", "fake-model"))
            .Set("Auth:AdminKey", AdminKey)
            .Set("State:ConnectionString", azurite.ConnectionString)
            .Set("State:TablePrefix", prefix);
        await using var server = await ServerProcess.StartAsync(ServerProcess.Environment(config), binary.Path);
        using var client = ClientOf(server);

        using var put = await client.SendAsync(HttpMethod.Put, "/manage/overrides", """{"overrides":{"new-alias":{"targets":[{"provider":"main","model":"listed-b","weight":2}]}}}""", r => r.Bearer(AdminKey));
        using var get = await client.GetAsync("/manage/overrides", r => r.Bearer(AdminKey));
        var document = JsonNode.Parse(await get.Content.ReadAsStringAsync())!;
        using var routed = await client.PostAsync(Requests.Hello.Replace("gpt-test", "new-alias", StringComparison.Ordinal));
        using var models = await client.GetAsync("/v1/models");
        var listed = await models.Content.ReadAsStringAsync();

        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync() + server.Output);
        Assert.Equal("table", JsonNode.Parse(await put.Content.ReadAsStringAsync())!["store"]!.GetValue<string>());
        Assert.Equal(2, document["overrides"]!["new-alias"]!["targets"]![0]!["weight"]!.GetValue<double>());
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal("listed-b", upstream.Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Json["model"]!.GetValue<string>());
        Assert.Contains("listed-a", listed, StringComparison.Ordinal);

        // A second process reads both back from the tables (the overrides' typed entities, the cached model list).
        upstream.ModelsStatus = 500;
        await using var reader = await ServerProcess.StartAsync(ServerProcess.Environment(config), binary.Path);
        using var readerClient = ClientOf(reader);
        using var readBack = await readerClient.GetAsync("/manage/overrides", r => r.Bearer(AdminKey));
        using var readModels = await readerClient.GetAsync("/v1/models");
        Assert.Equal("listed-b", JsonNode.Parse(await readBack.Content.ReadAsStringAsync())!["overrides"]!["new-alias"]!["targets"]![0]!["model"]!.GetValue<string>());
        Assert.Contains("listed-a", await readModels.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TableStorageState_AChatSiteSessionIsSharedByTwoProcesses()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var prefix = AzuriteFixture.NewPrefix();
        var config = new TestConfig()
            .ChatSiteProvider("site", upstream.BaseUrl, "site-model")
            .Model("gpt-test", ("site", "site-model"))
            .Bearer(("alice", "sk-alice"))
            .Set("State:ConnectionString", azurite.ConnectionString)
            .Set("State:TablePrefix", prefix);
        await using var one = await ServerProcess.StartAsync(ServerProcess.Environment(config), binary.Path);
        await using var two = await ServerProcess.StartAsync(ServerProcess.Environment(config), binary.Path);
        using var clientOne = ClientOf(one);
        using var clientTwo = ClientOf(two);
        void Session(HttpRequestMessage request)
        {
            request.Bearer("sk-alice");
            request.Headers.Add("X-Session-Id", "conversation-1");
        }

        using var first = await clientOne.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"first question"}]}""", configure: Session);

        // The session row is written once the answer has gone out: wait until the table holds it.
        var sessions = new Azure.Data.Tables.TableClient(azurite.ConnectionString, prefix + "Sessions");
        await SharedStateTests.Eventually(async () =>
        {
            await foreach (var row in sessions.QueryAsync<Azure.Data.Tables.TableEntity>())
            {
                return row.GetInt32("TurnCount") == 1 && row.GetString("UpstreamSessionId") == "site-session-1";
            }

            return false;
        });
        using var second = await clientTwo.PostAsync(
            """{"model":"gpt-test","messages":[{"role":"user","content":"first question"},{"role":"assistant","content":"echo: first question"},{"role":"user","content":"second question"}]}""",
            configure: Session);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(second.StatusCode == HttpStatusCode.OK, await second.Content.ReadAsStringAsync() + two.Output);
        Assert.Equal("site-session-1", upstream.Requests[1].Json["session_id"]!.GetValue<string>());
        Assert.Equal("second question", upstream.Requests[1].Json["request"]!["query"]!.GetValue<string>());
    }

    [Fact]
    public async Task BadConfiguration_NamesTheKeyAndExits()
    {
        var config = new TestConfig()
            .Provider("main", "http://127.0.0.1:9/v1", "fake-model")
            .ProviderSetting("main", "ChatPth", "/chat")
            .Provider("odd", "http://127.0.0.1:9/v1", "odd-model")
            .ProviderSetting("odd", "Kind", "OpenAi2")
            .Model("gpt-test", ("main", "fake-model"));

        var (exitCode, output) = await ChildProcess.RunAsync(binary.Path, [], ServerProcess.Environment(config));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Gateway:Providers:main:ChatPth: unknown setting", output, StringComparison.Ordinal);
        Assert.Contains("Gateway:Providers:odd:Kind: 'OpenAi2' is not one of", output, StringComparison.Ordinal);
    }

    private static HttpClient ClientOf(ServerProcess server) => new() { BaseAddress = server.Root, Timeout = TimeSpan.FromSeconds(30) };

    private static string Text(IEnumerable<NamedSse.Event> events, string name, Func<JsonObject, JsonNode?> text) =>
        string.Concat(events.Where(e => e.Name == name).Select(e => text(e.Data)?.GetValue<string>()));
}
