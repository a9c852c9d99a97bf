using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Diagnostics;

public sealed class RequestLogTests
{
    private static readonly string[] Fields =
    [
        "request_id", "key_name", "client", "route", "model", "provider", "target_model", "stream", "tools_present", "attempts",
        "end_reason", "http_status", "upstream_status", "duration_ms", "ttfb_ms", "prompt_tokens", "completion_tokens", "usage_estimated",
        "upstream_error_type", "upstream_error_code", "upstream_message",
    ];

    [Fact]
    public async Task CompletedStream_LogsOneLineWithEveryField()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("newapi", "sk-secret-key")));

        var (response, _, _) = await gateway.Client.StreamAsync(
            """{"model":"gpt-test","stream":true,"tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"a private prompt"}]}""",
            r =>
            {
                r.Bearer("sk-secret-key");
                r.Headers.TryAddWithoutValidation("User-Agent", "claude-cli/2.0.1 (external, cli)");
            });
        var requestId = response.Headers.GetValues("x-request-id").Single();
        var line = await gateway.Logs.WaitForRequestLineAsync(requestId);

        Assert.All(Fields, field => Assert.True(line.ContainsKey(field), field));
        Assert.Equal("newapi", line["key_name"]);
        Assert.Equal("claude-code", line["client"]);
        Assert.Equal("chat_completions", line["route"]);
        Assert.Equal("gpt-test", line["model"]);
        Assert.Equal("main", line["provider"]);
        Assert.Equal("fake-model", line["target_model"]);
        Assert.Equal("true", line["stream"]);
        Assert.Equal("true", line["tools_present"]);
        Assert.Equal("1", line["attempts"]);
        Assert.Equal("stop", line["end_reason"]);
        Assert.Equal("200", line["http_status"]);
        Assert.Equal("200", line["upstream_status"]);
        Assert.True(double.Parse(line["ttfb_ms"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("5", line["prompt_tokens"]);
        Assert.Equal("false", line["usage_estimated"]);
        Assert.Single(gateway.Logs.RequestLines(), l => l["request_id"] == requestId);
    }

    [Fact]
    public async Task ClientErrors_AreLoggedWithTheirEndReason()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("k", "sk-k")));

        using var unauthorized = await gateway.Client.PostAsync(Requests.Hello);
        using var notFound = await gateway.Client.PostAsync("""{"model":"nope","messages":[{"role":"user","content":"x"}]}""", configure: r => r.Bearer("sk-k"));
        using var invalid = await gateway.Client.PostAsync("{", configure: r => r.Bearer("sk-k"));

        var reasons = new[] { unauthorized, notFound, invalid }
            .Select(r => gateway.Logs.WaitForRequestLineAsync(r.Headers.GetValues("x-request-id").Single()).Result)
            .Select(l => (l["http_status"], l["end_reason"]))
            .ToList();

        Assert.Equal([("401", "auth_error"), ("404", "not_found"), ("400", "invalid_request")], reasons);
    }

    [Fact]
    public async Task Logs_NeverContainKeysOrPromptText()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Status(401, "bad key sk-upstream-main"));
        var config = TestConfig.Single(upstream.BaseUrl).Bearer(("newapi", "sk-secret-key"));
        await using var gateway = await GatewayApp.StartAsync(config);

        await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"a private prompt"}]}""", configure: r => r.Bearer("sk-secret-key"));
        await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"a private prompt"}]}""", configure: r => r.Bearer("sk-wrong-key"));
        await gateway.Logs.WaitForRequestLineAsync();

        var everything = string.Join("\n", gateway.Logs.Entries.Select(e => e.Message + " " + string.Join(",", e.Fields.Values) + " " + e.Exception));
        Assert.DoesNotContain("sk-secret-key", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-key", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-upstream-main", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("a private prompt", everything, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailedAttempt_LogsTheUpstreamsErrorTypeCodeAndRedactedMessage(bool stream)
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Json(
            """{"error":{"message":"Incorrect API key provided: sk-upstream-a. You can find your API key at https://platform.example/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}""",
            status: 401);
        b.Default = Scripts.Json("""{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","code":"insufficient_quota"}}""", status: 429);
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        var (response, _, _) = await gateway.Client.StreamAsync(stream ? Requests.HelloStream : Requests.Hello);
        var line = await gateway.Logs.WaitForRequestLineAsync();
        var attempts = gateway.Logs.Entries.Where(e => e.Message.StartsWith("upstream_attempt_failed", StringComparison.Ordinal)).Select(e => e.Fields).ToList();

        Assert.Equal(System.Net.HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("insufficient_quota", line["upstream_error_type"]);
        Assert.Equal("insufficient_quota", line["upstream_error_code"]);
        Assert.StartsWith("You exceeded your current quota", line["upstream_message"], StringComparison.Ordinal);
        Assert.Contains(attempts, f => f["upstream_error_code"] == "invalid_api_key" && f["upstream_message"]!.StartsWith("Incorrect API key provided: ***", StringComparison.Ordinal));
        Assert.All(gateway.Logs.Entries, e => Assert.DoesNotContain("sk-upstream-a", e.Message, StringComparison.Ordinal));
    }
}
