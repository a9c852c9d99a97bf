using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Providers;

/// <summary><c>Providers:&lt;id&gt;:Proxy</c>: egress through a real proxy on loopback, for that provider only.</summary>
public sealed class ProviderProxyTests
{
    [Fact]
    public async Task HttpProxy_CarriesThatProvidersRequestsOnly()
    {
        await using var proxy = LoopbackProxy.Start();
        await using var proxied = await FakeUpstreamServer.StartAsync();
        await using var direct = await FakeUpstreamServer.StartAsync();
        var config = new TestConfig()
            .Provider("proxied", proxied.BaseUrl, "m1").ProviderSetting("proxied", "Proxy", $"http://127.0.0.1:{proxy.Port}")
            .Provider("direct", direct.BaseUrl, "m2")
            .Model("via-proxy", ("proxied", "m1"))
            .Model("no-proxy", ("direct", "m2"));
        await using var gateway = await GatewayApp.StartAsync(config);

        using var viaProxy = await gateway.Client.PostAsync(Requests.HelloStream.Replace("gpt-test", "via-proxy", StringComparison.Ordinal));
        var streamed = await viaProxy.Content.ReadAsStringAsync();
        using var noProxy = await gateway.Client.PostAsync(Requests.Hello.Replace("gpt-test", "no-proxy", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, viaProxy.StatusCode);
        Assert.EndsWith("data: [DONE]\n\n", streamed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, noProxy.StatusCode);
        var carried = Assert.Single(proxy.Requests);
        Assert.Equal(("http", $"127.0.0.1:{proxied.Root.Port}", "/v1/chat/completions"), (carried.Protocol, carried.Target, carried.Path));
        Assert.Single(proxied.Requests);
        Assert.Single(direct.Requests);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("socks5")]
    public async Task ProxyWithCredentials_AuthenticatesAndOnlyTheMaskedUrlIsLogged(string scheme)
    {
        await using var proxy = LoopbackProxy.Start(("egress", "p@ss:w0rd"));
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "Proxy", $"{scheme}://egress:p%40ss%3Aw0rd@127.0.0.1:{proxy.Port}");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var logs = string.Join("\n", gateway.Logs.Entries.Select(e => e.Message));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var carried = Assert.Single(proxy.Requests);
        Assert.Equal((scheme, $"127.0.0.1:{upstream.Root.Port}", "egress:p@ss:w0rd"), (carried.Protocol, carried.Target, carried.Credentials));
        Assert.Single(upstream.Requests);
        Assert.Contains($"provider_proxy provider=main proxy={scheme}://****@127.0.0.1:{proxy.Port}/", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("w0rd", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("egress", logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("socks5")]
    public async Task ProxyRefusingTheCredentials_IsAnUpstreamFailureThatNeverShowsThem(string scheme)
    {
        await using var proxy = LoopbackProxy.Start(("egress", "right-password"));
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "Proxy", $"{scheme}://egress:wrong-password@127.0.0.1:{proxy.Port}");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var body = await response.Content.ReadAsStringAsync();
        var logs = string.Join("\n", gateway.Logs.Entries.Select(e => e.Message + e.Exception));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_error", JsonNode.Parse(body)!["error"]!["type"]!.GetValue<string>());
        Assert.Contains("egress:wrong-password", proxy.Refused);
        Assert.Empty(upstream.Requests);
        Assert.DoesNotContain("wrong-password", body + logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutProxySetting_TheEnvironmentsProxyAndNoProxyApply()
    {
        // A separate process: .NET reads HTTP_PROXY/NO_PROXY once per process.
        await using var proxy = LoopbackProxy.Start();
        await using var proxied = await FakeUpstreamServer.StartAsync();
        await using var bypassed = await FakeUpstreamServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["HTTP_PROXY"] = $"http://127.0.0.1:{proxy.Port}",
            ["NO_PROXY"] = "localhost",
            ["Gateway__Auth__Mode"] = "None",
            ["Gateway__Providers__viaenv__Kind"] = "OpenAI",
            ["Gateway__Providers__viaenv__BaseUrl"] = proxied.BaseUrl,
            ["Gateway__Providers__viaenv__Models__0"] = "m1",
            ["Gateway__Providers__nearby__Kind"] = "OpenAI",
            ["Gateway__Providers__nearby__BaseUrl"] = $"http://localhost:{bypassed.Root.Port}/v1",
            ["Gateway__Providers__nearby__Models__0"] = "m2",
        });
        using var client = new HttpClient { BaseAddress = server.Root };

        using var first = await client.PostAsync(Requests.Hello.Replace("gpt-test", "m1", StringComparison.Ordinal));
        using var second = await client.PostAsync(Requests.Hello.Replace("gpt-test", "m2", StringComparison.Ordinal));

        Assert.True(first.StatusCode == HttpStatusCode.OK, server.Output);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var carried = Assert.Single(proxy.Requests);
        Assert.Equal($"127.0.0.1:{proxied.Root.Port}", carried.Target);
        Assert.Single(bypassed.Requests);
    }
}
