using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Auth;

public sealed class ClientAuthTests
{
    [Fact]
    public async Task MissingOrWrongKey_Returns401InvalidApiKey()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("newapi", "sk-abc")));

        using var missing = await gateway.Client.PostAsync(Requests.Hello);
        using var wrong = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("sk-abd"));
        using var prefix = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("sk-ab"));

        foreach (var response in new[] { missing, wrong, prefix })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
            Assert.Equal("invalid_api_key", error["code"]!.GetValue<string>());
        }

        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("Authorization", "Bearer sk-abc")]
    [InlineData("X-Api-Key", "sk-abc")]
    [InlineData("x-api-key", "sk-abc")]
    public async Task KeyInAnyAcceptedHeader_IsAcceptedAndNamedInLog(string header, string value)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("newapi", "sk-abc"), ("ci", "sk-def")));

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Headers.TryAddWithoutValidation(header, value));
        var line = await gateway.Logs.WaitForRequestLineAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("newapi", line["key_name"]);
    }

    [Fact]
    public async Task AdminKey_IsNotAClientKey()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("k", "sk-abc")).Set("Auth:AdminKey", "admin-secret"));

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("admin-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ModeNone_AcceptsRequestsWithoutKey()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // Auth None: every request is served; a configured key still names its caller (and its rate-limit
    // bucket), anything else is "anonymous" and shares the bucket of its client address.
    [Fact]
    public async Task ModeNone_KnownKeyIsNamedOthersAreAnonymousPerAddress()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).Set("Auth:Keys:ci", "sk-ci").Set("Limits:RequestsPerSecond", 0.01).Set("Limits:Burst", 1);
        await using var gateway = await GatewayApp.StartAsync(config);

        var results = new List<(HttpStatusCode Status, string? KeyName)>();
        foreach (var key in new[] { null, "sk-ci", "sk-wrong", null })
        {
            using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r =>
            {
                if (key is not null)
                {
                    r.Bearer(key);
                }
            });
            results.Add((response.StatusCode, (await gateway.Logs.WaitForRequestLineAsync(response.Headers.GetValues("x-request-id").Single()))["key_name"]));
        }

        Assert.Equal(
        [
            (HttpStatusCode.OK, "anonymous"),
            (HttpStatusCode.OK, "ci"),
            (HttpStatusCode.TooManyRequests, "anonymous"),
            (HttpStatusCode.TooManyRequests, "anonymous"),
        ], results);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task Static_SendsProviderKeyNeverClientKey()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("k", "sk-client-secret")));

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r =>
        {
            r.Bearer("sk-client-secret");
            r.Headers.TryAddWithoutValidation("x-api-key", "sk-client-secret");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.Requests[0];
        Assert.Equal("Bearer sk-upstream-main", sent.Header("Authorization"));
        Assert.Null(sent.Header("x-api-key"));
        Assert.DoesNotContain(sent.Headers.Values, v => v.Contains("sk-client-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PassThrough_ForwardsClientBearer()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "UpstreamAuth:Mode", "PassThrough");
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer("sk-users-own-key"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-users-own-key", upstream.Requests[0].Header("Authorization"));
    }

    [Fact]
    public async Task RateLimit_PerKeyTokenBucket_Returns429WithRetryAfter()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).Bearer(("one", "sk-one"), ("two", "sk-two"))
            .Set("Limits:RequestsPerSecond", 0.01).Set("Limits:Burst", 2);
        await using var gateway = await GatewayApp.StartAsync(config);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var r = await gateway.Client.PostAsync(Requests.Hello, configure: m => m.Bearer("sk-one"));
            statuses.Add(r.StatusCode);
        }

        using var limited = await gateway.Client.PostAsync(Requests.Hello, configure: m => m.Bearer("sk-one"));
        using var otherKey = await gateway.Client.PostAsync(Requests.Hello, configure: m => m.Bearer("sk-two"));
        var error = JsonNode.Parse(await limited.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rate_limit_error", error["type"]!.GetValue<string>());
        Assert.Equal("rate_limit_exceeded", error["code"]!.GetValue<string>());
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
        Assert.Equal(3, upstream.Requests.Count);
    }
}
