using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.Integration.Tests.State;
using Xunit;

namespace Gateway.Integration.Tests.Admin;

/// <summary><c>GET/PUT /manage/overrides</c> against Table Storage (Azurite) and in memory.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OverridesTests(AzuriteFixture azurite)
{
    private const string AdminKey = "admin-overrides-secret";

    private TestConfig Config(FakeUpstreamServer main, FakeUpstreamServer alt, string prefix) =>
        new TestConfig()
            .Provider("main", main.BaseUrl, "fake-model")
            .Provider("alt", alt.BaseUrl, "alt-model")
            .Model("gpt-test", ("main", "fake-model"))
            .Set("Auth:AdminKey", AdminKey)
            .Set("State:ConnectionString", azurite.ConnectionString)
            .Set("State:TablePrefix", prefix)
            .Set("State:ReloadSeconds", 0.5);

    [Fact]
    public async Task Put_RoutesThisInstanceAtOnceAndASecondInstanceWithinReloadSeconds()
    {
        await using var main = await FakeUpstreamServer.StartAsync();
        await using var alt = await FakeUpstreamServer.StartAsync();
        var config = Config(main, alt, AzuriteFixture.NewPrefix());
        await using var writer = await GatewayApp.StartAsync(config);
        await using var reader = await GatewayApp.StartAsync(config);

        using var put = await PutAsync(writer, """{"overrides":{"gpt-test":{"targets":[{"provider":"alt","model":"alt-model","weight":2,"channel":"blue"}]},"new-alias":{"targets":[{"provider":"main"}]}}}""");
        var saved = JsonNode.Parse(await put.Content.ReadAsStringAsync())!;
        using var onWriter = await writer.Client.PostAsync(Requests.Hello);
        await SharedStateTests.Eventually(async () =>
        {
            using var r = await reader.Client.PostAsync(Requests.Hello);
            return alt.Requests.Count >= 2;
        });
        using var models = await reader.Client.GetAsync("/v1/models");
        using var get = await reader.Client.GetAsync("/manage/overrides", r => r.Bearer(AdminKey));
        var document = JsonNode.Parse(await get.Content.ReadAsStringAsync())!;
        var audit = writer.Logs.Entries.Single(e => e.Message.StartsWith("admin_change", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("table", saved["store"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, onWriter.StatusCode);
        Assert.Equal("alt-model", alt.Requests[0].Json["model"]!.GetValue<string>());
        Assert.Equal("blue", alt.Requests[0].Header("X-Channel"));
        Assert.Contains("new-alias", await models.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, document["overrides"]!["gpt-test"]!["targets"]![0]!["weight"]!.GetValue<double>());
        Assert.Equal("main", document["overrides"]!["new-alias"]!["targets"]![0]!["provider"]!.GetValue<string>());
        Assert.Equal("overrides_replaced", audit.Fields["action"]);
        Assert.Matches("^[0-9a-f]{8}$", audit.Fields["admin_key"]!);
        Assert.DoesNotContain(AdminKey, audit.Message, StringComparison.Ordinal);

        // Removing an alias from the document removes it everywhere; routing falls back to configuration.
        using var removed = await PutAsync(writer, """{"overrides":{}}""");
        await SharedStateTests.Eventually(async () =>
        {
            using var r = await reader.Client.GetAsync("/v1/models");
            return !(await r.Content.ReadAsStringAsync()).Contains("new-alias", StringComparison.Ordinal);
        });
        var mainBefore = main.Requests.Count;
        using var back = await reader.Client.PostAsync(Requests.Hello);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(mainBefore + 1, main.Requests.Count);
    }

    [Theory]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"nope"}]}}}""", "overrides.gpt-test.targets[0].provider")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[]}}}""", "overrides.gpt-test.targets")]
    [InlineData("""{"overrides":{"gpt-test":{}}}""", "overrides.gpt-test.targets")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"alt","weight":-1}]}}}""", "overrides.gpt-test.targets[0].weight")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"alt","weight":"3"}]}}}""", "overrides.gpt-test.targets[0].weight")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"alt","model":""}]}}}""", "overrides.gpt-test.targets[0].model")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"alt","channel":"a\nb"}]}}}""", "overrides.gpt-test.targets[0].channel")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"alt","Weight":1}]}}}""", "overrides.gpt-test.targets[0].Weight")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{}]}}}""", "overrides.gpt-test.targets[0].provider")]
    [InlineData("""{"overrides":{"gpt-test":[{"provider":"alt"}]}}""", "overrides.gpt-test")]
    [InlineData("""{"overrides":{"":{"targets":[{"provider":"alt"}]}}}""", "overrides.")]
    [InlineData("""{"overrides":[]}""", "overrides")]
    [InlineData("""{"gpt-test":{"targets":[{"provider":"alt"}]}}""", "gpt-test")]
    [InlineData("""[]""", null)]
    [InlineData("""{"overrides":""", null)]
    [InlineData("""{"overrides":{"\ud800":{"targets":[{"provider":"alt"}]}}}""", "overrides.(a property name)")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"\ud800"}]}}}""", "overrides.gpt-test.targets[0].provider")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"alt","model":"x\udc00"}]}}}""", "overrides.gpt-test.targets[0].model")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"alt","channel":"\ud800"}]}}}""", "overrides.gpt-test.targets[0].channel")]
    [InlineData("""{"overrides":{"gpt-test":{"targets":[{"provider":"alt","\ud800":1}]}}}""", "overrides.gpt-test.targets[0].(a property name)")]
    public async Task Put_InvalidDocument_Is400NamingTheFieldAndChangesNothing(string body, string? param)
    {
        await using var main = await FakeUpstreamServer.StartAsync();
        await using var alt = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Config(main, alt, AzuriteFixture.NewPrefix()));
        using var first = await PutAsync(gateway, """{"overrides":{"kept":{"targets":[{"provider":"alt"}]}}}""");

        using var bad = await PutAsync(gateway, body);
        var error = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["error"]!;
        using var get = await gateway.Client.GetAsync("/manage/overrides", r => r.Bearer(AdminKey));
        var document = JsonNode.Parse(await get.Content.ReadAsStringAsync())!["overrides"]!.AsObject();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]?.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        Assert.Equal(["kept"], document.Select(p => p.Key));
    }

    [Fact]
    public async Task Put_WhileTheStoreIsDown_Is503AndNothingChanges()
    {
        await using var own = await Azurite.StartAsync();
        await using var main = await FakeUpstreamServer.StartAsync();
        await using var alt = await FakeUpstreamServer.StartAsync();
        var prefix = AzuriteFixture.NewPrefix();
        var config = Config(main, alt, prefix).Set("State:ConnectionString", own.ConnectionString);
        await using var gateway = await GatewayApp.StartAsync(config);
        await SharedStateTests.Eventually(async () =>
        {
            using var health = await gateway.Client.GetAsync("/health");
            return health.StatusCode == HttpStatusCode.OK;
        }, timeoutMs: 15_000);
        using var first = await PutAsync(gateway, """{"overrides":{"kept":{"targets":[{"provider":"alt"}]}}}""");

        await own.StopAsync();
        using var duringOutage = await PutAsync(gateway, """{"overrides":{"lost":{"targets":[{"provider":"main"}]}}}""");
        using var again = await PutAsync(gateway, """{"overrides":{"lost":{"targets":[{"provider":"main"}]}}}""");
        using var modelsDuring = await gateway.Client.GetAsync("/v1/models");
        using var getDuring = await gateway.Client.GetAsync("/manage/overrides", r => r.Bearer(AdminKey));
        var documentDuring = JsonNode.Parse(await getDuring.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, duringOutage.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        Assert.Equal("state_unavailable", JsonNode.Parse(await again.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        var models = await modelsDuring.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"lost\"", models, StringComparison.Ordinal);
        Assert.Contains("\"kept\"", models, StringComparison.Ordinal);
        Assert.True(documentDuring["degraded"]!.GetValue<bool>());
        Assert.Equal(["kept"], documentDuring["overrides"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.Message.StartsWith("admin_change", StringComparison.Ordinal) && e.Message.Contains("lost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Put_WithoutAStateSection_KeepsTheDocumentInMemory()
    {
        await using var main = await FakeUpstreamServer.StartAsync();
        await using var alt = await FakeUpstreamServer.StartAsync();
        var config = Config(main, alt, "unused").Remove("State:ConnectionString").Remove("State:TablePrefix").Remove("State:ReloadSeconds");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var put = await PutAsync(gateway, """{"overrides":{"gpt-test":{"targets":[{"provider":"alt","model":"alt-model"}]}}}""");
        using var chat = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("memory", JsonNode.Parse(await put.Content.ReadAsStringAsync())!["store"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Single(alt.Requests);
        Assert.Empty(main.Requests);
    }

    private static Task<HttpResponseMessage> PutAsync(GatewayApp gateway, string body) =>
        gateway.Client.SendAsync(HttpMethod.Put, "/manage/overrides", body, r => r.Bearer(AdminKey));
}
