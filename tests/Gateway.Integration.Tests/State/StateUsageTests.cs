using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.State;
using Gateway.State.Tables;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Integration.Tests.State;

[Collection(AzuriteCollection.Name)]
public sealed class StateUsageTests(AzuriteFixture azurite)
{
    private TestConfig WithState(TestConfig config, string? prefix = null) =>
        config.Set("State:ConnectionString", azurite.ConnectionString).Set("State:TablePrefix", prefix ?? AzuriteFixture.NewPrefix());

    [Fact]
    public async Task PlainChatRequest_MakesNoStoreCall()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = WithState(TestConfig.Single(upstream.BaseUrl)).Set("State:ReloadSeconds", 3600);
        await using var gateway = await GatewayApp.StartAsync(config);
        var counter = gateway.Services.GetRequiredService<StateCallCounter>();
        await Settled(counter);

        var before = counter.Calls;
        for (var i = 0; i < 25; i++)
        {
            using var json = await gateway.Client.PostAsync(Requests.Hello);
            Assert.Equal(HttpStatusCode.OK, json.StatusCode);
            var (stream, _, _) = await gateway.Client.StreamAsync(Requests.HelloStreamUsage);
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        }

        var afterPlain = counter.Calls;
        using var withSession = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Headers.Add("X-Session-Id", "s"));
        await SharedStateTests.Eventually(() => Task.FromResult(counter.Calls > afterPlain));

        Assert.Equal(before, afterPlain);
    }

    [Fact]
    public async Task ImplicitSessions_OnlyWhenEnabled()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        foreach (var implicitSessions in new[] { false, true })
        {
            var config = WithState(TestConfig.Single(upstream.BaseUrl)).Set("State:ImplicitSessions", implicitSessions).Bearer(("newapi", "sk-n"));
            await using var gateway = await GatewayApp.StartAsync(config);
            var stores = gateway.Services.GetRequiredService<StateStores>();

            await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("sk-n"));
            await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("sk-n"));

            var key = SessionKeys.For("newapi", "gpt-test", null, "unknown", implicitSessions: true)!; // HttpClient sends no User-Agent
            if (implicitSessions)
            {
                await SharedStateTests.Eventually(async () => (await stores.Sessions.GetAsync(key, default))?.TurnCount == 2);
            }
            else
            {
                await Task.Delay(300);
                Assert.Null(await stores.Sessions.GetAsync(key, default));
            }
        }
    }

    [Fact]
    public async Task TablesAreCreatedAtStartUp()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var prefix = AzuriteFixture.NewPrefix();
        await using var gateway = await GatewayApp.StartAsync(WithState(TestConfig.Single(upstream.BaseUrl), prefix));

        var service = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString);
        var tables = service.Query(filter: $"TableName ge '{prefix}' and TableName lt '{prefix}~'").Select(t => t.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(StateStores.TableSuffixes.Select(s => prefix + s).Order(StringComparer.Ordinal), tables);
    }

    [Fact]
    public async Task RefreshJob_WritesCacheAndAFailingProviderKeepsItsLastGoodList()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Models = ["m1", "openai/m2"];
        var prefix = AzuriteFixture.NewPrefix();
        var config = WithState(TestConfig.Single(upstream.BaseUrl), prefix)
            .Set("Providers:fetching:Kind", "OpenAI").Set("Providers:fetching:BaseUrl", upstream.BaseUrl)
            .Set("Auth:AdminKey", "admin-secret");
        await using var gateway = await GatewayApp.StartAsync(config);
        await gateway.Logs.WaitForMessageAsync("model_refresh "); // the run at start-up is over

        var first = await RefreshAsync(gateway, "admin-secret");
        upstream.ModelsBody = """{"success":false,"message":"invalid key"}""";
        var errorOn200 = await RefreshAsync(gateway, "admin-secret");
        upstream.ModelsBody = null;
        upstream.ModelsStatus = 500;
        var second = await RefreshAsync(gateway, "admin-secret");
        using var models = await gateway.Client.GetAsync("/v1/models");
        var ids = JsonNode.Parse(await models.Content.ReadAsStringAsync())!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        var rows = new Azure.Data.Tables.TableClient(azurite.ConnectionString, prefix + "Models").Query<ModelEntity>().Select(e => e.ModelId).Order(StringComparer.Ordinal).ToList();

        Assert.True(first["providers"]!["fetching"]!["fetched"]!.GetValue<bool>());
        Assert.Equal(2, first["providers"]!["fetching"]!["models"]!.GetValue<int>());
        Assert.Null(first["providers"]!["main"]); // a static list needs no fetch
        Assert.False(errorOn200["providers"]!["fetching"]!["fetched"]!.GetValue<bool>(), $"model lists fetched: {upstream.ModelListRequests}"); // regression: a 200 error body emptied the list
        Assert.Equal(2, errorOn200["providers"]!["fetching"]!["models"]!.GetValue<int>());
        Assert.False(second["providers"]!["fetching"]!["fetched"]!.GetValue<bool>());
        Assert.Equal(2, second["providers"]!["fetching"]!["models"]!.GetValue<int>());
        Assert.Contains("openai/m2", ids);
        Assert.Equal(["m1", "openai/m2"], rows);

        // Another instance starting now (upstream list still failing) serves the shared cache.
        await using var other = await GatewayApp.StartAsync(config);
        using var otherModels = await other.Client.GetAsync("/v1/models");
        Assert.Contains("openai/m2", await otherModels.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var routed = await other.Client.PostAsync("""{"model":"openai/m2","messages":[{"role":"user","content":"x"}]}""");
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
    }

    [Fact]
    public async Task ManageRefresh_RequiresTheAdminKey()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = WithState(TestConfig.Single(upstream.BaseUrl)).Bearer(("client", "sk-client")).Set("Auth:AdminKey", "admin-secret");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var noKey = await gateway.Client.PostAsync("{}", "/manage/models/refresh");
        using var clientKey = await gateway.Client.PostAsync("{}", "/manage/models/refresh", r => r.Bearer("sk-client"));
        using var admin = await gateway.Client.PostAsync("{}", "/manage/models/refresh", r => r.Bearer("admin-secret"));
        using var adminOnChat = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("admin-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, clientKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, adminOnChat.StatusCode);
    }

    [Fact]
    public async Task OtherInstances_PickUpOverridesWithinReloadSeconds()
    {
        await using var main = await FakeUpstreamServer.StartAsync();
        await using var alt = await FakeUpstreamServer.StartAsync();
        var prefix = AzuriteFixture.NewPrefix();
        var config = WithState(new TestConfig().Provider("main", main.BaseUrl, "fake-model").Provider("alt", alt.BaseUrl).Model("gpt-test", ("main", "fake-model")), prefix)
            .Set("State:ReloadSeconds", 0.3);
        await using var writer = await GatewayApp.StartAsync(config);
        await using var reader = await GatewayApp.StartAsync(config);

        using var beforeOverride = await reader.Client.PostAsync(Requests.Hello);
        await writer.Services.GetRequiredService<StateStores>().Overrides.SaveAsync(
            new ModelOverride("gpt-test", [new OverrideTarget("alt", "alt-model", null, "override-channel")], DateTimeOffset.UtcNow), default);
        await writer.Services.GetRequiredService<StateStores>().Overrides.SaveAsync(
            new ModelOverride("brand-new-alias", [new OverrideTarget("alt", "other-model", null, null)], DateTimeOffset.UtcNow), default);
        await SharedStateTests.Eventually(async () =>
        {
            using var r = await reader.Client.PostAsync(Requests.Hello);
            return alt.Requests.Count > 0;
        });
        using var alias = await reader.Client.PostAsync("""{"model":"brand-new-alias","messages":[{"role":"user","content":"x"}]}""");
        using var list = await reader.Client.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, beforeOverride.StatusCode);
        Assert.Equal("alt-model", alt.Requests[0].Json["model"]!.GetValue<string>());
        Assert.Equal("override-channel", alt.Requests[0].Header("X-Channel"));
        Assert.Equal(HttpStatusCode.OK, alias.StatusCode);
        Assert.Equal("other-model", alt.Requests[^1].Json["model"]!.GetValue<string>());
        Assert.Contains("brand-new-alias", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<JsonNode> RefreshAsync(GatewayApp gateway, string adminKey)
    {
        using var response = await gateway.Client.PostAsync("{}", "/manage/models/refresh", r => r.Bearer(adminKey));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    // Start-up work (table creation, the first refresh and sweep) runs in the background; wait until it is done.
    private static async Task Settled(StateCallCounter counter)
    {
        var last = -1L;
        while (counter.Calls != last)
        {
            last = counter.Calls;
            await Task.Delay(400);
        }
    }
}
