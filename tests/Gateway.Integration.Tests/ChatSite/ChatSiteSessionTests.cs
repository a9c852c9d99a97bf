using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.Integration.Tests.State;
using Gateway.State;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Integration.Tests.ChatSite;

/// <summary>
/// A chat site's own sessions: stored with the turn, sent back so the query carries only the new turn,
/// shared by two instances through Azurite, dropped and retried once when the site no longer knows them,
/// started afresh with <c>X-Session-Id: new</c>; the managed token refreshed on a 401.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ChatSiteSessionTests(AzuriteFixture azurite)
{
    private static TestConfig Site(FakeUpstreamServer upstream) =>
        new TestConfig().ChatSiteProvider("site", upstream.BaseUrl, "site-model").Model("gpt-test", ("site", "site-model")).Bearer(("alice", "sk-alice"));

    private static string Turn(params string[] texts) =>
        new JsonObject
        {
            ["model"] = "gpt-test",
            ["messages"] = new JsonArray([.. texts.Select((t, i) => (JsonNode)new JsonObject { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = t })]),
        }.ToJsonString();

    private static Task<HttpResponseMessage> PostAsync(GatewayApp gateway, string body, string? session = "conversation-1") =>
        gateway.Client.PostAsync(body, configure: r =>
        {
            r.Bearer("sk-alice");
            if (session is not null)
            {
                r.Headers.Add("X-Session-Id", session);
            }
        });

    private static async Task SessionStoredAsync(GatewayApp gateway, string session, int turns)
    {
        var key = SessionKeys.For("alice", "gpt-test", session, "other", implicitSessions: false)!;
        var stores = gateway.Services.GetRequiredService<StateStores>();
        await SharedStateTests.Eventually(async () => await stores.Sessions.GetAsync(key, default) is { TurnCount: var n, UpstreamSessionId: not null } && n == turns);
    }

    private static string Query(RecordedRequest request) => request.Json["request"]!["query"]!.GetValue<string>();

    [Fact]
    public async Task SecondTurn_SendsTheStoredSessionAndOnlyTheNewTurn()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Site(upstream).Set("Models:0:Targets:0:Weight", 1));

        using var first = await PostAsync(gateway, Turn("first question"));
        await SessionStoredAsync(gateway, "conversation-1", 1);
        using var second = await PostAsync(gateway, Turn("first question", "echo: first question", "second question"));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Null(upstream.Requests[0].Json["session_id"]);
        Assert.Equal("first question", Query(upstream.Requests[0]));
        Assert.Equal("site-session-1", upstream.Requests[1].Json["session_id"]!.GetValue<string>());
        Assert.Equal("second question", Query(upstream.Requests[1]));
        Assert.Equal(2, upstream.Site.Sessions["site-session-1"]);
    }

    [Fact]
    public async Task WithoutASession_EveryTurnCarriesTheWholeHistory()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));

        using var second = await PostAsync(gateway, Turn("first question", "echo: first question", "second question"), session: null);

        var query = Query(Assert.Single(upstream.Requests));
        Assert.Null(upstream.Requests[0].Json["session_id"]);
        Assert.Contains("User: first question", query, StringComparison.Ordinal);
        Assert.Contains("Assistant: echo: first question", query, StringComparison.Ordinal);
        Assert.EndsWith("# Current message\n\nUser: second question", query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASessionTheSiteForgot_IsDropped_AndTheTurnRetriedOnceWithTheWholeHistory()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));

        using var first = await PostAsync(gateway, Turn("first question"));
        await SessionStoredAsync(gateway, "conversation-1", 1);
        upstream.Site.ForgetSessions();
        using var second = await PostAsync(gateway, Turn("first question", "echo: first question", "second question"));
        await SessionStoredAsync(gateway, "conversation-1", 2);
        using var third = await PostAsync(gateway, Turn("first question", "echo: first question", "second question", "echo: second question", "third"));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(4, upstream.Requests.Count);
        Assert.Equal("site-session-1", upstream.Requests[1].Json["session_id"]!.GetValue<string>());
        Assert.Null(upstream.Requests[2].Json["session_id"]);
        Assert.Contains("User: first question", Query(upstream.Requests[2]), StringComparison.Ordinal);
        Assert.Equal("site-session-2", upstream.Requests[3].Json["session_id"]!.GetValue<string>());
        Assert.Equal("third", Query(upstream.Requests[3]));
    }

    [Fact]
    public async Task ASideRequestUnderTheSameSession_DoesNotBecomeTheConversationsSession()
    {
        // A client that sends one session id with its conversation and with a side request (a title made
        // without tools): the conversation's turn must not continue the side request's site session.
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));
        const string tools = """[{"type":"function","function":{"name":"write","parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}}]""";

        using var title = await PostAsync(gateway, """{"model":"gpt-test","messages":[{"role":"system","content":"Write a short title."},{"role":"user","content":"make a file"}]}""");
        await SessionStoredAsync(gateway, "conversation-1", 1);
        using var turn = await PostAsync(gateway, $$"""{"model":"gpt-test","tools":{{tools}},"messages":[{"role":"system","content":"You are a coding agent."},{"role":"user","content":"make a file"}]}""");

        Assert.Equal(HttpStatusCode.OK, turn.StatusCode);
        Assert.Null(upstream.Requests[1].Json["session_id"]);
        var query = Query(upstream.Requests[1]);
        Assert.Contains("You are a coding agent.", query, StringComparison.Ordinal);
        Assert.Contains("<tool_call id=\"", query, StringComparison.Ordinal);
        Assert.Contains("- write", query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AContinuedSession_KeepsItsNonce_SoACallInItsSecondTurnIsStillACall()
    {
        // The site's model remembers the instructions of the session's first turn (the second turn's query
        // does not repeat them) and marks its next call with the nonce it was given then.
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.ChatSiteDefault = upstream.Site.Answer((query, said) =>
            FakeUpstream.ChatSite.Call(FakeUpstream.ChatSite.Nonce(said)!, "list_dir", new { dir = query.Contains("[tool_result", StringComparison.Ordinal) ? "/b" : "/a" }));
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));
        const string tools = """[{"type":"function","function":{"name":"list_dir","parameters":{"type":"object","properties":{"dir":{"type":"string"}},"required":["dir"]}}}]""";

        using var first = await PostAsync(gateway, $$"""{"model":"gpt-test","tools":{{tools}},"messages":[{"role":"user","content":"look around"}]}""");
        var call = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["tool_calls"]![0]!;
        await SessionStoredAsync(gateway, "conversation-1", 1);
        using var second = await PostAsync(gateway, $$"""
            {"model":"gpt-test","tools":{{tools}},"messages":[
              {"role":"user","content":"look around"},
              {"role":"assistant","content":null,"tool_calls":[{{call.ToJsonString()}}]},
              {"role":"tool","tool_call_id":"{{call["id"]}}","content":"x.txt"}]}
            """);
        var message = JsonNode.Parse(await second.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!;

        Assert.Equal("site-session-1", upstream.Requests[1].Json["session_id"]!.GetValue<string>());
        Assert.DoesNotContain("<tool_call id=", Query(upstream.Requests[1]), StringComparison.Ordinal);
        Assert.Equal("""{"dir":"/b"}""", message["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
        Assert.True(message["content"] is null || message["content"]!.GetValue<string>().Length == 0);
    }

    [Fact]
    public async Task SessionNew_StartsAfresh()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));

        using var first = await PostAsync(gateway, Turn("first question"), session: "new");
        using var second = await PostAsync(gateway, Turn("another start"), session: "new");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.All(upstream.Requests, r => Assert.Null(r.Json["session_id"]));
        Assert.Equal(2, upstream.Site.Sessions.Count);
    }

    [Fact]
    public async Task TwoInstances_ShareTheSiteSession()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = Site(upstream).Set("State:ConnectionString", azurite.ConnectionString).Set("State:TablePrefix", AzuriteFixture.NewPrefix());
        await using var one = await GatewayApp.StartAsync(config);
        await using var two = await GatewayApp.StartAsync(config);

        using var first = await PostAsync(one, Turn("first question"));
        await SessionStoredAsync(two, "conversation-1", 1);
        using var second = await PostAsync(two, Turn("first question", "echo: first question", "second question"));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("site-session-1", upstream.Requests[1].Json["session_id"]!.GetValue<string>());
        Assert.Equal("second question", Query(upstream.Requests[1]));
    }

    [Fact]
    public async Task ManagedToken_IsRefreshedOnceOnA401()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var tokenServer = await FakeUpstreamServer.StartAsync();
        var issued = 0;
        tokenServer.Default = (context, request) => Scripts.Json($$"""{"access_token":"tok-{{Interlocked.Increment(ref issued)}}","expires_in":3600}""")(context, request);
        await using var gateway = await GatewayApp.StartAsync(Site(upstream)
            .Remove("Providers:site:ApiKey")
            .ProviderSetting("site", "UpstreamAuth:TokenUrl", tokenServer.Root + "oauth/token"));

        using var first = await PostAsync(gateway, Turn("hello"), session: null);
        upstream.Site.RequiredToken = "tok-2";
        using var second = await PostAsync(gateway, Turn("again"), session: null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, issued);
        Assert.Equal(["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"], upstream.Requests.Select(r => r.Header("Authorization")));
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.Message.Contains("tok-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FirstChunk_IsNotHeldForSessionMetadataOrTheRest()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(FakeUpstream.ChatSite.Start("s-1")),
            SseStep.Data(FakeUpstream.ChatSite.TextDelta("Hello")),
            SseStep.Delay(3000),
            SseStep.Data(FakeUpstream.ChatSite.TextDelta(" world")),
            SseStep.Data(FakeUpstream.ChatSite.Finish()),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(Site(upstream));

        await using var live = await LiveSse.OpenAsync(gateway.Client, """{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}""", r => r.Bearer("sk-alice"));
        string? firstContent = null;
        while (string.IsNullOrEmpty(firstContent) && await live.NextAsync() is { } next)
        {
            firstContent = next.Event.Data is { } data && data != "[DONE]" ? next.Event.Json["choices"]?[0]?["delta"]?["content"]?.GetValue<string>() : null;
        }

        // The rest comes 3 s later: the first piece went out on its own, not held for the session id or the answer.
        Assert.Equal("Hello", firstContent);
        Assert.DoesNotContain("world", live.Raw.ToString(), StringComparison.Ordinal);
    }
}
