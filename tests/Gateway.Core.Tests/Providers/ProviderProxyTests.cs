using System.Net;
using Gateway.Configuration;
using Gateway.Providers;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Gateway.Tests.Providers;

public sealed class ProviderProxyTests
{
    [Theory]
    [InlineData("http://proxy.corp:3128", "http://proxy.corp:3128/")]
    [InlineData("http://user:s3cret@proxy.corp:3128", "http://****@proxy.corp:3128/")]
    [InlineData("socks5://user:s3cret@10.0.0.1:1080/", "socks5://****@10.0.0.1:1080/")]
    [InlineData("ftp://user:s3cret@proxy.corp", "****")]
    public void Mask_HidesCredentials(string value, string expected)
    {
        Assert.Equal(expected, ProviderProxy.Mask(value));
    }

    [Fact]
    public void Create_TakesTheCredentialsOutOfTheAddress()
    {
        var proxy = ProviderProxy.Create("http://egress%40corp:p%40ss%3Aword@proxy.corp:3128");
        var target = new Uri("https://api.openai.com/v1/chat/completions");

        Assert.Equal(new Uri("http://proxy.corp:3128/"), proxy.GetProxy(target));
        Assert.False(proxy.IsBypassed(new Uri("http://127.0.0.1:9000/")));
        var credential = proxy.Credentials!.GetCredential(new Uri("http://proxy.corp:3128/"), "Basic")!;
        Assert.Equal(("egress@corp", "p@ss:word"), (credential.UserName, credential.Password));
    }

    [Theory]
    [InlineData("https://user:s3cret@proxy.corp:3128")]
    [InlineData("socks4://user:s3cret@proxy.corp:1080")]
    [InlineData("http://user:s3cret@proxy.corp:3128/path")]
    [InlineData("user:s3cret@proxy.corp:3128")]
    public void Load_InvalidProxy_NamesTheKeyButNotTheValue(string value)
    {
        var values = new Dictionary<string, string?>
        {
            ["Gateway:Auth:Mode"] = "None",
            ["Gateway:Providers:p:Kind"] = "OpenAI",
            ["Gateway:Providers:p:BaseUrl"] = "https://api.openai.com/v1",
            ["Gateway:Providers:p:Models:0"] = "m",
            ["Gateway:Providers:p:Proxy"] = value,
        };

        var error = Assert.Throws<GatewayConfigurationException>(() => GatewayOptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build()));

        Assert.StartsWith("Gateway:Providers:p:Proxy: ", Assert.Single(error.Problems), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_WithoutCredentials_HasNone()
    {
        Assert.True(ProviderProxy.TryParse("socks5://127.0.0.1:1080", out var address, out var credentials));
        Assert.Equal(new Uri("socks5://127.0.0.1:1080/"), address);
        Assert.Null(credentials);
        Assert.IsType<WebProxy>(ProviderProxy.Create("socks5://127.0.0.1:1080"));
    }
}
