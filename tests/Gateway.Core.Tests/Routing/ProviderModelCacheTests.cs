using System.Text;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Routing;

public sealed class ProviderModelCacheTests
{
    [Theory]
    [InlineData("""{"object":"list","data":[{"id":"a","owned_by":"org"},{"id":"b"}]}""")]
    [InlineData("""[{"id":"a","owned_by":"org"},"b"]""")]
    [InlineData("""{"models":[{"id":"a","owned_by":"org"},{"id":"b","owned_by":7}]}""")]
    [InlineData("""{"data":[{"id":"a","owned_by":"org"},{"name":"no id"},{"id":""},{"id":5},null,"","b"]}""")]
    public void Parse_ListShapes_GiveIdsWithOwner(string body)
    {
        var models = ProviderModelCache.Parse(Encoding.UTF8.GetBytes(body), "prov");

        Assert.Equal([new UpstreamModel("a", "org"), new UpstreamModel("b", "prov")], models);
    }

    [Theory]
    [InlineData("""{"success":false,"message":"no"}""")]
    [InlineData("""{"data":{"id":"a"}}""")]
    [InlineData("""{"models":"a"}""")]
    [InlineData("""42""")]
    public void Parse_NoList_IsNull(string body)
    {
        Assert.Null(ProviderModelCache.Parse(Encoding.UTF8.GetBytes(body), "prov"));
    }

    [Fact]
    public void Parse_NotJson_Throws()
    {
        Assert.ThrowsAny<JsonException>(() => ProviderModelCache.Parse("not json"u8, "prov"));
    }

    [Theory]
    [InlineData("""{"data":[],"has_more":true,"last_id":"m-9"}""", "m-9")]
    [InlineData("""{"data":[],"has_more":false,"last_id":"m-9"}""", null)]
    [InlineData("""{"data":[],"last_id":"m-9"}""", null)]
    [InlineData("""{"data":[],"has_more":true}""", null)]
    [InlineData("""{"data":[],"has_more":true,"last_id":9}""", null)]
    [InlineData("""[]""", null)]
    public void NextPage_OnlyWhenMoreAndALastId(string body, string? expected)
    {
        Assert.Equal(expected, ProviderModelCache.NextPage(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Apply_OnlyANewerListReplacesTheHeldOne()
    {
        var cache = new ProviderModelCache(null!, new FakeTimeProvider(), NullLogger<ProviderModelCache>.Instance);
        var provider = new Provider("p", new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://127.0.0.1:1/v1" });
        var noon = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Null(cache.Peek(provider));

        cache.Apply(new ModelListRecord("p", [new UpstreamModel("first", "p")], noon));
        cache.Apply(new ModelListRecord("P", [new UpstreamModel("older", "p")], noon.AddMinutes(-1)));
        cache.Apply(new ModelListRecord("p", [new UpstreamModel("same time", "p")], noon));
        Assert.Equal("first", Assert.Single(cache.Peek(provider)!).Id);

        cache.Apply(new ModelListRecord("p", [new UpstreamModel("newer", "p")], noon.AddSeconds(1)));
        Assert.Equal("newer", Assert.Single(cache.Peek(provider)!).Id);
    }

    [Fact]
    public async Task GetAsync_StaticList_IsTheConfiguredIdsOwnedByTheProvider()
    {
        var cache = new ProviderModelCache(null!, new FakeTimeProvider(), NullLogger<ProviderModelCache>.Instance);
        var provider = new Provider("p", new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://127.0.0.1:1/v1", Models = ["x", "y"] });

        var models = await cache.GetAsync(provider, CancellationToken.None);

        Assert.Equal([new UpstreamModel("x", "p"), new UpstreamModel("y", "p")], models);
        Assert.Null(provider.ModelsUri);
    }
}
