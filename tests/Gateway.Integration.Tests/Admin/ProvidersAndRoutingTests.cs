using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Admin;

/// <summary><c>GET /manage/providers</c>, <c>POST /manage/routing/decide</c> and <c>GET/DELETE /manage/sessions/{id}</c>.</summary>
public sealed class ProvidersAndRoutingTests
{
    private const string AdminKey = "admin-providers-secret";

    private static readonly string[] Secrets = ["sk-upstream-a", "sk-upstream-b", "header-secret-value", "proxy-password", "query-secret", "sk-client-secret", AdminKey];

    private static TestConfig Config(FakeUpstreamServer a, FakeUpstreamServer b) =>
        TestConfig.Pair(a.BaseUrl, b.BaseUrl)
            .ProviderSetting("a", "Headers:X-Upstream-Token", "header-secret-value")
            .ProviderSetting("b", "Weight", 1)
            .ProviderSetting("b", "BaseUrl", b.BaseUrl + "?api-key=query-secret")
            .Bearer(("client", "sk-client-secret"))
            .Set("Auth:AdminKey", AdminKey);

    [Fact]
    public async Task Providers_ShowHealthAndModels_MaskEverySecret()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Status(429, retryAfter: "120");
        await using var gateway = await GatewayApp.StartAsync(Config(a, b).ProviderSetting("b", "Weight", 0)); // a is tried first
        using var chat = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("sk-client-secret"));

        using var response = await gateway.Client.GetAsync("/manage/providers", r => r.Bearer(AdminKey));
        var body = await response.Content.ReadAsStringAsync();
        var providers = JsonNode.Parse(body)!["providers"]!.AsArray();
        var first = providers.Single(p => p!["id"]!.GetValue<string>() == "a")!;
        var second = providers.Single(p => p!["id"]!.GetValue<string>() == "b")!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OpenAI", first["kind"]!.GetValue<string>());
        Assert.Equal("***", first["api_key"]!.GetValue<string>());
        Assert.Equal("***", first["headers"]!["X-Upstream-Token"]!.GetValue<string>());
        Assert.Contains("api-key=***", second["base_url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["fake-model"], first["models"]!["ids"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("static", first["models"]!["source"]!.GetValue<string>());
        Assert.Equal(0, first["in_flight"]!.GetValue<int>());
        var target = first["targets"]!.AsArray().Single()!;
        Assert.Equal("fake-model", target["model"]!.GetValue<string>());
        Assert.InRange(target["cooldown_seconds"]!.GetValue<double>(), 100, 120);
        AssertNoSecrets(body, gateway);
    }

    [Fact]
    public async Task RoutingDecide_ExplainsEachCandidate_WithoutCallingUpstream()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Status(503, retryAfter: "60");
        await using var gateway = await GatewayApp.StartAsync(Config(a, b).ProviderSetting("a", "Weight", 3));
        for (var i = 0; i < 30 && a.Requests.Count == 0; i++)
        {
            // The first candidate is a weighted draw (a: 3, b: 1): repeat until a was tried and cooled down.
            using var chat = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("sk-client-secret"));
        }

        var calls = a.Requests.Count + b.Requests.Count;

        using var cooling = await DecideAsync(gateway, """{"model":"gpt-test"}""");
        var decision = JsonNode.Parse(await cooling.Content.ReadAsStringAsync())!;
        using var unknown = await DecideAsync(gateway, """{"model":"no-such-model"}""");
        using var missing = await DecideAsync(gateway, """{"session":"s"}""");
        using var wrongType = await DecideAsync(gateway, """{"model":5}""");
        using var notJson = await DecideAsync(gateway, """{"model":""");
        using var loneSurrogate = await DecideAsync(gateway, """{"model":"gpt-test","session":"\ud800"}""");

        Assert.Equal(HttpStatusCode.OK, cooling.StatusCode);
        Assert.Equal("configuration", decision["source"]!.GetValue<string>());
        var candidates = decision["candidates"]!.AsArray();
        Assert.Equal(2, candidates.Count);
        Assert.False(candidates[0]!["usable"]!.GetValue<bool>());
        Assert.StartsWith("cooling down", candidates[0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, candidates[0]!["weight"]!.GetValue<double>());
        Assert.True(candidates[1]!["usable"]!.GetValue<bool>());
        Assert.Equal(1.0, candidates[1]!["first_pick_probability"]!.GetValue<double>());
        Assert.Equal(["b/fake-model"], decision["order"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Equal(calls, a.Requests.Count + b.Requests.Count);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("model", JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, loneSurrogate.StatusCode);
        var surrogateError = JsonNode.Parse(await loneSurrogate.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(("invalid_json", "session"), (surrogateError["code"]!.GetValue<string>(), surrogateError["param"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Sessions_ShowTheSessionBehindAnIdAndDeleteIt()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Config(a, b).ProviderSetting("b", "Weight", 0));
        for (var i = 0; i < 2; i++)
        {
            using var turn = await gateway.Client.PostAsync(Requests.Hello, configure: r =>
            {
                r.Bearer("sk-client-secret");
                r.Headers.Add("X-Session-Id", "conversation-42");
            });
            Assert.Equal(HttpStatusCode.OK, turn.StatusCode);
        }

        const string path = "/manage/sessions/conversation-42?key=client&model=gpt-test";
        JsonNode? shown = null;
        await State.SharedStateTests.Eventually(async () =>
        {
            using var get = await gateway.Client.GetAsync(path, r => r.Bearer(AdminKey));
            shown = get.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await get.Content.ReadAsStringAsync()) : null;
            return shown?["turn_count"]?.GetValue<int>() == 2;
        });
        var decided = JsonNode.Parse(await (await DecideAsync(gateway, """{"model":"gpt-test","session":"conversation-42","key":"client"}""")).Content.ReadAsStringAsync())!;
        using var otherKey = await gateway.Client.GetAsync("/manage/sessions/conversation-42?key=someone-else&model=gpt-test", r => r.Bearer(AdminKey));
        using var noModel = await gateway.Client.GetAsync("/manage/sessions/conversation-42?key=client", r => r.Bearer(AdminKey));
        using var deleted = await gateway.Client.SendAsync(HttpMethod.Delete, path, configure: r => r.Bearer(AdminKey));
        using var afterDelete = await gateway.Client.GetAsync(path, r => r.Bearer(AdminKey));

        Assert.Equal("a", shown!["target"]!["provider"]!.GetValue<string>());
        Assert.Equal("fake-model", shown["target"]!["model"]!.GetValue<string>());
        Assert.NotNull(shown["expires_at"]);
        Assert.Equal("a/fake-model", decided["session"]!["preferred_target"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, otherKey.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noModel.StatusCode);
        Assert.Equal("model", JsonNode.Parse(await noModel.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.True(JsonNode.Parse(await deleted.Content.ReadAsStringAsync())!["deleted"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        Assert.Contains(gateway.Logs.Entries, e => e.Message.StartsWith("admin_change action=session_deleted", StringComparison.Ordinal));
        AssertNoSecrets(shown.ToJsonString(), gateway);
    }

    [Fact]
    public async Task EveryAdminBody_AndEveryLogLine_CarryNoSecret()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Json("""{"error":{"message":"Incorrect API key provided: sk-upstream-a","type":"invalid_request_error","code":"invalid_api_key"}}""", status: 401);
        await using var gateway = await GatewayApp.StartAsync(Config(a, b).ProviderSetting("b", "Weight", 0)); // a first: its 401 fails over to b
        using var chat = await gateway.Client.PostAsync(Requests.Hello, configure: r =>
        {
            r.Bearer("sk-client-secret");
            r.Headers.Add("X-Session-Id", "s-1");
        });
        using var put = await gateway.Client.SendAsync(HttpMethod.Put, "/manage/overrides", """{"overrides":{"gpt-test":{"targets":[{"provider":"b","channel":"c"}]}}}""", r => r.Bearer(AdminKey));
        await gateway.Logs.WaitForRequestLineAsync();

        var bodies = new List<string>();
        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, "/manage/providers", null),
            (HttpMethod.Get, "/manage/overrides", null),
            (HttpMethod.Get, "/manage/stats", null),
            (HttpMethod.Get, "/metrics", null),
            (HttpMethod.Post, "/manage/routing/decide", """{"model":"gpt-test","session":"s-1","key":"client"}"""),
            (HttpMethod.Get, "/manage/sessions/s-1?key=client&model=gpt-test", null),
        })
        {
            using var response = await gateway.Client.SendAsync(method, path, body, r => r.Bearer(AdminKey));
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode}");
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Contains(gateway.Logs.Entries, e => e.Message.Contains("invalid_api_key", StringComparison.Ordinal)); // the upstream's error code is logged…
        foreach (var body in bodies)
        {
            AssertNoSecrets(body, gateway); // …but never a key, in a body or a log line
        }
    }

    private static Task<HttpResponseMessage> DecideAsync(GatewayApp gateway, string body) =>
        gateway.Client.SendAsync(HttpMethod.Post, "/manage/routing/decide", body, r => r.Bearer(AdminKey));

    private static void AssertNoSecrets(string body, GatewayApp gateway)
    {
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            Assert.All(gateway.Logs.Entries, e => Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal));
        }
    }
}
