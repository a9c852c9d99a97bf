using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.State;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Integration.Tests.State;

/// <summary>Two gateway instances on one Azurite: sessions and managed tokens are shared.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SharedStateTests(AzuriteFixture azurite)
{
    private TestConfig WithState(TestConfig config, string prefix) =>
        config.Set("State:ConnectionString", azurite.ConnectionString).Set("State:TablePrefix", prefix);

    [Fact]
    public async Task TwoInstances_ShareSessionAffinityAndTurnCount()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        var prefix = AzuriteFixture.NewPrefix();
        TestConfig Config(double weightA, double weightB) => WithState(
            new TestConfig()
                .Provider("a", a.BaseUrl).Provider("b", b.BaseUrl)
                .ProviderSetting("a", "Weight", weightA).ProviderSetting("b", "Weight", weightB)
                .Model("gpt-test", ("a", "m"), ("b", "m"))
                .Bearer(("alice", "sk-alice"), ("bob", "sk-bob")),
            prefix);

        // Instance one draws b (a has no weight); instance two would draw a, unless the session says b.
        await using var one = await GatewayApp.StartAsync(Config(0, 1));
        await using var two = await GatewayApp.StartAsync(Config(1, 0));

        using var first = await one.Client.PostAsync(Requests.Hello, configure: r => { r.Bearer("sk-alice"); r.Headers.Add("X-Session-Id", "conversation-1"); });
        var key = SessionKeys.For("alice", "gpt-test", "conversation-1", "other", implicitSessions: false)!;
        var stores = two.Services.GetRequiredService<StateStores>();
        await Eventually(async () => await stores.Affinity.GetAsync(key, default) is not null);

        using var second = await two.Client.PostAsync(Requests.Hello, configure: r => { r.Bearer("sk-alice"); r.Headers.Add("X-Session-Id", "conversation-1"); });
        using var otherUser = await two.Client.PostAsync(Requests.Hello, configure: r => { r.Bearer("sk-bob"); r.Headers.Add("X-Session-Id", "conversation-1"); });
        using var noSession = await two.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("sk-alice"));

        Assert.All(new[] { first, second, otherUser, noSession }, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, b.Requests.Count);   // alice's two turns, on both instances
        Assert.Equal(2, a.Requests.Count);   // bob's turn (no cross-user reuse) and the session-less request
        await Eventually(async () => (await stores.Sessions.GetAsync(key, default))?.TurnCount == 2);
    }

    [Fact]
    public async Task TwoInstances_ShareOneManagedToken()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var tokenServer = await FakeUpstreamServer.StartAsync();
        var issued = 0;
        tokenServer.Default = (context, request) => Scripts.Json($$"""{"access_token":"tok-{{Interlocked.Increment(ref issued)}}","expires_in":3600}""")(context, request);
        var config = WithState(Managed(TestConfig.Single(upstream.BaseUrl), tokenServer), AzuriteFixture.NewPrefix());
        await using var one = await GatewayApp.StartAsync(config);
        await using var two = await GatewayApp.StartAsync(config);

        using var viaOne = await one.Client.PostAsync(Requests.Hello);
        using var viaTwo = await two.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, viaOne.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaTwo.StatusCode);
        Assert.Equal(1, issued);
        Assert.All(upstream.Requests, r => Assert.Equal("Bearer tok-1", r.Header("Authorization")));
        Assert.Equal("POST", tokenServer.Requests[0].Method);
        Assert.Equal("""{"client_id":"gateway"}""", tokenServer.Requests[0].BodyText);
    }

    [Fact]
    public async Task ExpiringToken_IsRefreshedOnceAcrossInstancesUnderLoad()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var tokenServer = await FakeUpstreamServer.StartAsync();
        var issued = 0;
        tokenServer.Default = async (context, request) =>
        {
            var n = Interlocked.Increment(ref issued);
            await Task.Delay(200, context.RequestAborted); // a slow token endpoint widens the race
            await Scripts.Json($$"""{"access_token":"tok-{{n}}","expires_in":{{(n == 1 ? 1 : 3600)}}}""")(context, request);
        };
        var config = WithState(Managed(TestConfig.Single(upstream.BaseUrl), tokenServer), AzuriteFixture.NewPrefix())
            .ProviderSetting("main", "UpstreamAuth:SkewSeconds", 0);
        await using var one = await GatewayApp.StartAsync(config);
        await using var two = await GatewayApp.StartAsync(config);
        using var warm = await one.Client.PostAsync(Requests.Hello);
        await Task.Delay(1200); // tok-1 has expired

        var burst = Enumerable.Range(0, 12).Select(async i =>
        {
            using var response = await (i % 2 == 0 ? one : two).Client.PostAsync(Requests.Hello);
            return response.StatusCode;
        });
        var statuses = await Task.WhenAll(burst);

        var tokens = string.Join(",", upstream.Requests.Select(r => r.Header("Authorization")));
        var errors = string.Join("\n", one.Logs.Entries.Concat(two.Logs.Entries).Where(e => e.Exception is not null).Select(e => e.Exception!.ToString()));
        Assert.True(errors.Length == 0, errors);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(2, issued);
        Assert.True(upstream.Requests.Skip(1).All(r => r.Header("Authorization") == "Bearer tok-2"), tokens);
    }

    [Fact]
    public async Task ManagedToken_RejectedByUpstream_IsRefreshedAndTheCallRetriedOnce()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var tokenServer = await FakeUpstreamServer.StartAsync();
        var issued = 0;
        tokenServer.Default = (context, request) => Scripts.Json("{\"data\":{\"token\":\"tok-" + Interlocked.Increment(ref issued) + "\",\"ttl\":\"3600\"}}")(context, request);
        upstream.Enqueue(Scripts.Status(401, "token expired"));
        var config = Managed(TestConfig.Single(upstream.BaseUrl), tokenServer)
            .ProviderSetting("main", "UpstreamAuth:TokenPath", "data.token")
            .ProviderSetting("main", "UpstreamAuth:ExpiresInPath", "data.ttl");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var logs = string.Join("\n", gateway.Logs.Entries.Select(e => e.Message));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, issued);
        Assert.Equal(["Bearer tok-1", "Bearer tok-2"], upstream.Requests.Select(r => r.Header("Authorization")));
        Assert.DoesNotContain("tok-1", logs, StringComparison.Ordinal);
        Assert.Equal("1", (await gateway.Logs.WaitForRequestLineAsync())["attempts"]);
    }

    [Fact]
    public async Task ManagedTokenEndpointDown_IsAnUpstreamAuthFailure()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var tokenServer = await FakeUpstreamServer.StartAsync();
        tokenServer.Default = Scripts.Status(500);
        await using var gateway = await GatewayApp.StartAsync(Managed(TestConfig.Single(upstream.BaseUrl), tokenServer));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_auth_error", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.Empty(upstream.Requests);
    }

    private static TestConfig Managed(TestConfig config, FakeUpstreamServer tokenServer) => config
        .Remove("Providers:main:ApiKey")
        .ProviderSetting("main", "UpstreamAuth:Mode", "Managed")
        .ProviderSetting("main", "UpstreamAuth:TokenUrl", tokenServer.Root + "oauth/token")
        .ProviderSetting("main", "UpstreamAuth:Body", """{"client_id":"gateway"}""");

    internal static async Task Eventually(Func<Task<bool>> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
