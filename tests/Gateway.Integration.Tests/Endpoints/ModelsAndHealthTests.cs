using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Endpoints;

public sealed class ModelsAndHealthTests
{
    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/models")]
    public async Task Models_ListsConfiguredStaticAndFetchedIdsWithOwner(string path)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Models = ["fetched-1", "fetched-2"];
        var config = new TestConfig()
            .Provider("static", upstream.BaseUrl, "static-1")
            .Set("Providers:fetching:Kind", "OpenAI")
            .Set("Providers:fetching:BaseUrl", upstream.BaseUrl)
            .Model("public-id", ("static", "static-1"));
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        using var again = await gateway.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", body["object"]!.GetValue<string>());
        var data = body["data"]!.AsArray().Select(m => (Id: m!["id"]!.GetValue<string>(), Owner: m["owned_by"]!.GetValue<string>(), Object: m["object"]!.GetValue<string>())).ToList();
        // Configured ids first, then provider lists; .NET configuration orders provider ids alphabetically.
        Assert.Equal(["public-id", "fetched-1", "fetched-2", "static-1"], data.Select(d => d.Id));
        Assert.All(data, d => Assert.Equal("model", d.Object));
        Assert.Equal("static", data[0].Owner);
        Assert.Equal("fake-org", data[1].Owner);
        Assert.Equal("static", data[3].Owner);
        Assert.Equal(1, upstream.ModelListRequests); // cached in memory
    }

    [Fact]
    public async Task Models_RequiresClientKey()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("k", "sk-k")));

        using var response = await gateway.Client.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task FailingModelList_KeepsServingConfiguredIds()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.ModelsStatus = 500;
        var config = TestConfig.Single(upstream.BaseUrl).Set("Providers:fetching:Kind", "OpenAI").Set("Providers:fetching:BaseUrl", upstream.BaseUrl);
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.GetAsync("/v1/models");
        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["gpt-test", "fake-model"], ids);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/live")]
    public async Task Health_Is200WithoutAuth(string path)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("k", "sk-k")));

        using var response = await gateway.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }
}
