using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.Server;
using Xunit;

namespace Gateway.Integration.Tests.Server;

/// <summary><c>--probe URL</c>, the container's health check (the runtime image has no curl).</summary>
public sealed class HealthProbeTests
{
    [Fact]
    public async Task RunAsync_LiveGateway_ReturnsZero()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        using var error = new StringWriter();

        var exitCode = await HealthProbe.RunAsync(new Uri(gateway.Root, "health/live").ToString(), error);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error.ToString());
    }

    [Theory]
    [InlineData("no/such/route", "HTTP 404")]
    [InlineData("not a url", "not an absolute http(s) URL")]
    public async Task RunAsync_Non2xxOrBadUrl_ReturnsOneSayingWhy(string path, string expected)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        using var error = new StringWriter();

        var exitCode = await HealthProbe.RunAsync(path.Contains(' ', StringComparison.Ordinal) ? path : new Uri(gateway.Root, path).ToString(), error);

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NothingListening_ReturnsOne()
    {
        using var error = new StringWriter();

        var exitCode = await HealthProbe.RunAsync($"http://127.0.0.1:{LoopbackPort.Free()}/health/live", error);

        Assert.Equal(1, exitCode);
        Assert.Contains("failed", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerBinary_ProbeMode_ExitsWithTheProbeResultOfAServerListeningOnAspNetCoreUrls()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway__Auth__Mode"] = "None",
            ["Gateway__Providers__main__Kind"] = "OpenAI",
            ["Gateway__Providers__main__BaseUrl"] = upstream.BaseUrl,
            ["Gateway__Providers__main__Models__0"] = "fake-model",
        });

        var live = await ServerProcess.RunAsync(HealthProbe.Argument, new Uri(server.Root, "health/live").ToString());
        var missing = await ServerProcess.RunAsync(HealthProbe.Argument, new Uri(server.Root, "no/such/route").ToString());

        Assert.True(live.ExitCode == 0, live.Output + server.Output);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("HTTP 404", missing.Output, StringComparison.Ordinal);
    }
}
