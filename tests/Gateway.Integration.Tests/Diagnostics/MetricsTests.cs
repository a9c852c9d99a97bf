using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Diagnostics;

/// <summary><c>GET /metrics</c> (Prometheus text, Server) and <c>GET /manage/stats</c> (JSON, both hosts) after scripted traffic.</summary>
public sealed class MetricsTests
{
    private const string Admin = "admin-metrics-secret";

    [Fact]
    public async Task Metrics_AfterScriptedTraffic_CountRequestsFailoversStreamsAndTokens()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        var config = new TestConfig()
            .Provider("mfail", a.BaseUrl, "fake-model")
            .Provider("mok", b.BaseUrl, "fake-model")
            .ProviderSetting("mok", "Weight", 0)
            .Model("metrics-model", ("mfail", "fake-model"), ("mok", "fake-model"))
            .Bearer(("metricsclient", "sk-metrics-client"))
            .Set("Auth:AdminKey", Admin);
        await using var gateway = await GatewayApp.StartAsync(config);
        a.Default = Scripts.Status(500);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await gateway.Client.PostAsync("""{"model":"metrics-model","messages":[{"role":"user","content":"hi"}]}""", configure: r => r.Bearer("sk-metrics-client"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var (streamed, _, _) = await gateway.Client.StreamAsync("""{"model":"metrics-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""", r => r.Bearer("sk-metrics-client"));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        using var unknown = await gateway.Client.PostAsync("""{"model":"no-such-model-abc123","messages":[{"role":"user","content":"hi"}]}""", configure: r => r.Bearer("sk-metrics-client"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await gateway.Logs.WaitForRequestLineAsync(); // the last line is written after the response ended

        // Other tests' gateways run in this process too: wait for this one's own label values (metrics are
        // recorded just after the log line, so a scrape may briefly precede the last request's).
        var text = await ScrapeAsync(gateway, body =>
            Regex.IsMatch(body, """gateway_requests_total\{[^}]*gateway_end_reason="not_found"[^}]*gen_ai_request_model="other"[^}]*\} [1-9]""")
            && Regex.IsMatch(body, """gateway_requests_total\{[^}]*gateway_end_reason="stop"[^}]*gateway_provider="mok"[^}]*\} 3"""));
        using var stats = await gateway.Client.GetAsync("/manage/stats", r => r.Bearer(Admin));
        var json = JsonNode.Parse(await stats.Content.ReadAsStringAsync())!;

        Assert.Matches("""gateway_requests_total\{[^}]*gateway_end_reason="stop"[^}]*gateway_provider="mok"[^}]*\} 3""", text);
        Assert.Matches("""gateway_requests_total\{[^}]*gen_ai_request_model="metrics-model"[^}]*\} 3""", text);
        Assert.Matches("""gateway_requests_total\{[^}]*gateway_end_reason="not_found"[^}]*gen_ai_request_model="other"[^}]*\} [1-9]""", text);
        Assert.DoesNotContain("no-such-model-abc123", text, StringComparison.Ordinal); // an unknown id is never a label
        Assert.Matches("""gateway_upstream_failovers_total\{[^}]*gateway_provider="mfail"[^}]*gateway_reason="retryable_status"[^}]*\} 3""", text);
        Assert.Matches("""gateway_upstream_attempts_total\{[^}]*gateway_outcome="ok"[^}]*gateway_provider="mok"[^}]*\} 3""", text);
        Assert.Matches("""gateway_streams_total\{[^}]*gateway_stream_end="done"[^}]*\} [1-9]""", text);
        Assert.Matches("""gen_ai_server_request_duration_seconds_bucket\{[^}]*gen_ai_request_model="metrics-model"[^}]*le="0.0005"\}""", text);
        Assert.Matches("""gen_ai_server_time_to_first_token_seconds_count\{[^}]*gateway_provider="mok"[^}]*\} 3""", text);
        Assert.Matches("""gen_ai_client_token_usage_sum\{[^}]*gateway_provider="mok"[^}]*gen_ai_token_type="output"[^}]*\} [1-9]""", text);
        Assert.Matches("""gateway_provider_in_flight\{[^}]*gateway_provider="mfail"[^}]*\} 0""", text);
        Assert.Contains("gateway_state_degraded", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-metrics-client", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-upstream-", text, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.True(json["requests"]!["total"]!.GetValue<long>() >= 4);
        Assert.Equal(3, json["requests"]!["by_model"]!["metrics-model"]!.GetValue<long>());
        Assert.Equal(1, json["requests"]!["by_end_reason"]!["not_found"]!.GetValue<long>());
        Assert.Equal(3, json["upstream"]!["failovers"]!["retryable_status"]!.GetValue<long>());
        Assert.Equal(1, json["streams"]!["done"]!.GetValue<long>());
        Assert.False(json["state"]!["degraded"]!.GetValue<bool>());
        Assert.Equal(0, json["in_flight"]!["mok"]!.GetValue<int>());
    }

    [Fact]
    public async Task MetricsAndStats_AdminKeyOnly_NotFoundWithoutOne()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var withAdmin = TestConfig.Single(upstream.BaseUrl).Bearer(("client", "sk-client")).Set("Auth:AdminKey", Admin);
        await using var gateway = await GatewayApp.StartAsync(withAdmin);
        await using var noAdmin = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("client", "sk-client")));

        foreach (var path in new[] { "/metrics", "/manage/stats" })
        {
            using var none = await gateway.Client.GetAsync(path);
            using var client = await gateway.Client.GetAsync(path, r => r.Bearer("sk-client"));
            using var admin = await gateway.Client.GetAsync(path, r => r.Bearer(Admin));
            using var viaHeader = await gateway.Client.GetAsync(path, r => r.Headers.Add("X-Api-Key", Admin));
            using var off = await noAdmin.Client.GetAsync(path, r => r.Bearer(Admin));

            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, client.StatusCode);
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
            Assert.Equal(HttpStatusCode.OK, viaHeader.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);
        }
    }

    [Fact]
    public async Task TelemetryOff_NothingCountedAndMetricsSay503()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl).Set("Auth:AdminKey", Admin).Set("Telemetry:Enabled", false);
        await using var gateway = await GatewayApp.StartAsync(config);

        using var chat = await gateway.Client.PostAsync(Requests.Hello);
        using var metrics = await gateway.Client.GetAsync("/metrics", r => r.Bearer(Admin));
        using var stats = await gateway.Client.GetAsync("/manage/stats", r => r.Bearer(Admin));
        var json = JsonNode.Parse(await stats.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, metrics.StatusCode);
        Assert.False(json["enabled"]!.GetValue<bool>());
        Assert.Equal(0, json["requests"]!["total"]!.GetValue<long>());
    }

    private static async Task<string> ScrapeAsync(GatewayApp gateway, Func<string, bool> ready)
    {
        var text = string.Empty;
        for (var i = 0; i < 50; i++)
        {
            using var response = await gateway.Client.GetAsync("/metrics", r => r.Bearer(Admin));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            text = await response.Content.ReadAsStringAsync();
            if (ready(text))
            {
                break;
            }

            await Task.Delay(100);
        }

        return text;
    }
}
