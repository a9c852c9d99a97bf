using System.Net;
using System.Text.RegularExpressions;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Providers;

public sealed partial class UpstreamHeaderTests
{
    [Fact]
    public async Task UpstreamRequest_IsBuiltNotCopied()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "Headers:X-Extra", "configured");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r =>
        {
            r.Headers.TryAddWithoutValidation("Cookie", "session=secret");
            r.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
            r.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");
            r.Headers.TryAddWithoutValidation("X-Custom-Client", "1");
            r.Headers.TryAddWithoutValidation("OpenAI-Organization", "org-x");
            r.Headers.TryAddWithoutValidation("Upgrade-Insecure-Requests", "1");
            r.Headers.TryAddWithoutValidation("User-Agent", "curl/8");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.Requests[0].Headers;
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Host", "Content-Type", "Content-Length", "Accept", "Authorization", "X-Extra", "x-request-id", "traceparent",
        };
        Assert.All(sent.Keys, name => Assert.Contains(name, allowed));
        Assert.Equal("configured", sent["X-Extra"]);
        Assert.Equal("application/json", sent["Accept"]);
        Assert.StartsWith("application/json", sent["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatPath_IsAppendedToBaseUrl()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.Root + "api/v3/").ProviderSetting("main", "ChatPath", "/custom/chat?api-version=2024-10-21");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/v3/custom/chat?api-version=2024-10-21", upstream.Requests[0].Path);
    }

    [Fact]
    public async Task StreamRequest_AcceptsEventStream()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal("text/event-stream", upstream.Requests[0].Header("Accept"));
    }

    [Fact]
    public async Task RequestIdOf128Characters_IsKept()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        var id = "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j123456789k123456789l123456789m1234567";

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Headers.Add("x-request-id", id));

        Assert.Equal(128, id.Length);
        Assert.Equal(id, response.Headers.GetValues("x-request-id").Single());
    }

    [Fact]
    public async Task ValidRequestId_IsKeptEchoedAndSentUpstream()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Headers.Add("x-request-id", "client.req:42-A_b"));

        Assert.Equal("client.req:42-A_b", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("client.req:42-A_b", upstream.Requests[0].Header("x-request-id"));
        Assert.Equal("client.req:42-A_b", (await gateway.Logs.WaitForRequestLineAsync())["request_id"]);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("<script>")]
    [InlineData("slash/ed")]
    [InlineData("a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j123456789k123456789l123456789m12345678")]
    public async Task InvalidRequestId_IsReplaced(string hostile)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Headers.TryAddWithoutValidation("x-request-id", hostile));
        var echoed = response.Headers.GetValues("x-request-id").Single();

        Assert.NotEqual(hostile, echoed);
        Assert.Matches(RequestIdPattern(), echoed);
        Assert.Equal(echoed, upstream.Requests[0].Header("x-request-id"));
    }

    [Fact]
    public async Task OverlongRequestId_IsReplaced()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        var longId = new string('a', 129);

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Headers.Add("x-request-id", longId));

        Assert.NotEqual(longId, response.Headers.GetValues("x-request-id").Single());
    }

    [Fact]
    public async Task Traceparent_ContinuesTraceWithGatewaySpan()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        const string incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Headers.Add("traceparent", incoming));
        await gateway.Client.PostAsync(Requests.Hello);
        await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Headers.Add("traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"));

        var continued = upstream.Requests[0].Header("traceparent")!;
        Assert.Matches(TraceparentPattern(), continued);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", continued.Split('-')[1]);
        Assert.NotEqual("b7ad6b7169203331", continued.Split('-')[2]);
        Assert.EndsWith("-01", continued, StringComparison.Ordinal);
        Assert.Matches(TraceparentPattern(), upstream.Requests[1].Header("traceparent")!);
        Assert.NotEqual("00000000000000000000000000000000", upstream.Requests[2].Header("traceparent")!.Split('-')[1]);
    }

    [Fact]
    public async Task TargetChannel_IsSentAsXChannel()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).TargetSetting(0, 0, "Channel", "main-pool");
        await using var gateway = await GatewayApp.StartAsync(config);

        await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal("main-pool", upstream.Requests[0].Header("X-Channel"));
    }

    [Fact]
    public async Task Cors_AllowedOriginOnlyAndPreflightBeforeAuth()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).Bearer(("k", "sk-k")).Set("Cors:AllowedOrigins:0", "https://app.example");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var preflightResponse = await gateway.Client.SendAsync(preflight);
        using var allowed = await gateway.Client.PostAsync(Requests.Hello, configure: r =>
        {
            r.Bearer("sk-k");
            r.Headers.Add("Origin", "https://app.example");
        });
        using var denied = await gateway.Client.PostAsync(Requests.Hello, configure: r =>
        {
            r.Bearer("sk-k");
            r.Headers.Add("Origin", "https://other.example");
        });

        Assert.Equal(HttpStatusCode.NoContent, preflightResponse.StatusCode);
        Assert.Equal("https://app.example", preflightResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Authorization", preflightResponse.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.Ordinal);
        Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex RequestIdPattern();

    // Flags: sampled (01) and, on a trace the gateway starts, .NET 10 also sets W3C level 2's random-trace-id bit (02).
    [GeneratedRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$")]
    private static partial Regex TraceparentPattern();
}
