using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.State;

/// <summary>Degraded mode against a real Azurite that goes away and comes back.</summary>
public sealed class StateOutageTests
{
    [Fact]
    public async Task StoreOutage_RequestsKeepWorkingHealthDegradesThenRecovers()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl)
            .Set("State:ConnectionString", azurite.ConnectionString)
            .Set("State:TablePrefix", AzuriteFixture.NewPrefix());
        await using var gateway = await GatewayApp.StartAsync(config);
        static void Session(HttpRequestMessage r) => r.Headers.Add("X-Session-Id", "outage-session");

        using var before = await gateway.Client.PostAsync(Requests.Hello, configure: Session);

        // On a loaded machine a store call can pass its 2 s budget and open the circuit for a moment:
        // the start is healthy once the probe has seen the store answer.
        await SharedStateTests.Eventually(async () =>
        {
            using var health = await gateway.Client.GetAsync("/health");
            return health.StatusCode == HttpStatusCode.OK;
        }, timeoutMs: 15_000);
        using var healthyBefore = await gateway.Client.GetAsync("/health");

        await azurite.StopAsync();
        using var during = await gateway.Client.PostAsync(Requests.Hello, configure: Session);
        await SharedStateTests.Eventually(async () =>
        {
            // The session's turn is written in the background; its failure opens the circuit.
            using var health = await gateway.Client.GetAsync("/health");
            return health.StatusCode == HttpStatusCode.ServiceUnavailable;
        });
        var (_, streamEvents, _) = await gateway.Client.StreamAsync(Requests.HelloStream, r => r.Headers.Add("X-Session-Id", "another-session"));
        using var plain = await gateway.Client.PostAsync(Requests.Hello);
        using var degraded = await gateway.Client.GetAsync("/health");
        var degradedBody = JsonNode.Parse(await degraded.Content.ReadAsStringAsync())!;
        using var live = await gateway.Client.GetAsync("/health/live");

        await azurite.RestartAsync();
        await SharedStateTests.Eventually(async () =>
        {
            using var health = await gateway.Client.GetAsync("/health");
            return health.StatusCode == HttpStatusCode.OK;
        }, timeoutMs: 15_000);
        using var after = await gateway.Client.PostAsync(Requests.Hello, configure: Session);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthyBefore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Equal("echo: hello", SseText.Content(streamEvents));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, degraded.StatusCode);
        Assert.Equal("degraded", degradedBody["status"]!.GetValue<string>());
        Assert.Equal("tableStorage", degradedBody["dependency"]!.GetValue<string>());
        Assert.DoesNotContain("AccountKey", degradedBody.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task UnreachableStoreAtStart_StartsDegradedInsteadOfFailing()
    {
        await using var hole = new BlackHole();
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).Set("State:ConnectionString", hole.TableConnectionString);

        await using var gateway = await GatewayApp.StartAsync(config);
        using var chat = await gateway.Client.PostAsync(Requests.Hello);
        using var health = await gateway.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }
}
