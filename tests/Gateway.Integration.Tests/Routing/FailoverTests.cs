using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Routing;

public sealed class FailoverTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RetryableStatus_FailsOverToNextCandidate(bool stream)
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Status(500);
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        var (response, events, raw) = await gateway.Client.StreamAsync(stream ? Requests.HelloStream : Requests.Hello);
        var line = await gateway.Logs.WaitForRequestLineAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("echo", stream ? SseText.Content(events) : raw, StringComparison.Ordinal);
        Assert.Single(a.Requests);
        Assert.Single(b.Requests);
        Assert.Equal("2", line["attempts"]);
        Assert.Equal("b", line["provider"]);
    }

    // Regression (seed: ai-higress did not fail over when the streaming candidate's connection failed to open).
    [Fact]
    public async Task ConnectFailureOnFirstStreamingCandidate_UsesSecond()
    {
        await using var b = await FakeUpstreamServer.StartAsync();
        var closedPort = LoopbackPort.Free();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair($"http://127.0.0.1:{closedPort}/v1", b.BaseUrl));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", SseText.Content(events));
    }

    // Regression: the handler's ConnectTimeout surfaces as a cancellation, not an HttpRequestException,
    // and a candidate whose connect hung answered 500 instead of failing over.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectTimeoutOnFirstCandidate_FailsOverToSecond(bool stream)
    {
        using var full = FullBacklog.Start();
        await using var b = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Pair($"http://127.0.0.1:{full.Port}/v1", b.BaseUrl).ProviderSetting("a", "FirstByteTimeoutSeconds", 0.5);
        await using var gateway = await GatewayApp.StartAsync(config);

        var (response, events, raw) = await gateway.Client.StreamAsync(stream ? Requests.HelloStream : Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("echo", stream ? SseText.Content(events) : raw, StringComparison.Ordinal);
        Assert.Single(b.Requests);
    }

    [Fact]
    public async Task ResetBeforeContent_FailsOverWithoutLeakingFirstPreamble()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role(model: "model-from-a")), SseStep.Delay(30), new SseStep.Reset()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        var (_, events, raw) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.DoesNotContain("model-from-a", raw, StringComparison.Ordinal);
        Assert.Single(SseText.Chunks(events), c => c["choices"]!.AsArray().Any(ch => ch!["delta"]?["role"] is not null));
    }

    // Regression (seed: retries after the first chunk concatenated two providers' answers).
    [Fact]
    public async Task FailureAfterFirstData_IsNeverFailedOver()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("from a")), SseStep.Delay(200), new SseStep.Reset()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal("from a", SseText.Content(events));
        Assert.Equal("stream_interrupted", SseText.Chunks(events)[^1]["error"]!["code"]!.GetValue<string>());
        Assert.Empty(b.Requests);
    }

    [Fact]
    public async Task ClientMistakeFromUpstream_KeepsStatusAndMessageAndDoesNotFailOver()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Status(400, "This model's maximum context length is 8192 tokens."));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("This model's maximum context length is 8192 tokens.", error["message"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Empty(b.Requests);
    }

    [Theory]
    [InlineData(401, "Incorrect API key provided: sk-upst***")]
    [InlineData(403, "Permission denied")]
    [InlineData(402, "Your credit balance is too low")]
    [InlineData(429, "You exceeded your current quota, please check your plan and billing details.")]
    public async Task UpstreamCredentialOrBillingFailure_FailsOverThen502WithFixedMessage(int status, string upstreamMessage)
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Status(status, upstreamMessage);
        b.Default = Scripts.Status(status, upstreamMessage);
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var body = await response.Content.ReadAsStringAsync();
        var error = JsonNode.Parse(body)!["error"]!;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_error", error["type"]!.GetValue<string>());
        Assert.Equal("upstream_auth_error", error["code"]!.GetValue<string>());
        Assert.DoesNotContain(upstreamMessage, body, StringComparison.Ordinal);
        Assert.Single(a.Requests);
        Assert.Single(b.Requests);
    }

    // new-api disables a channel on credential errors; a second candidate failing differently must not
    // hide that the first one refused the gateway's key.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AuthFailureThenAnotherFailure_Is502UpstreamAuthError(bool stream)
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.Status(401, "Incorrect API key provided");
        b.Default = Scripts.Status(500, "internal error");
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        using var response = await gateway.Client.PostAsync(stream ? Requests.HelloStream : Requests.Hello);
        var body = await response.Content.ReadAsStringAsync();
        var line = await gateway.Logs.WaitForRequestLineAsync();
        var error = JsonNode.Parse(body)!["error"]!;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("upstream_error", "upstream_auth_error", "The upstream rejected the gateway's credentials."), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>(), error["message"]!.GetValue<string>()));
        Assert.Equal(("2", "upstream_error", "500"), (line["attempts"], line["end_reason"], line["upstream_status"]));
        Assert.Single(a.Requests);
        Assert.Single(b.Requests);
    }

    [Fact]
    public async Task CredentialErrorOn200Body_IsAnUpstreamFailure()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Default = Scripts.Json("""{"error":{"message":"The security token included in the request is invalid","type":"auth"}}""");
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_auth_error", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task RetryAfter_CoolsTargetDownAndNextRequestSkipsIt()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Status(429, "slow down", retryAfter: "30"));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        using var first = await gateway.Client.PostAsync(Requests.Hello);
        using var second = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(a.Requests);
        Assert.Equal(2, b.Requests.Count);
    }

    [Fact]
    public async Task EveryCandidateCoolingDown_Returns503WithRetryAfter()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Status(503, "busy", retryAfter: "20"));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var first = await gateway.Client.PostAsync(Requests.Hello);
        using var second = await gateway.Client.PostAsync(Requests.Hello);
        var error = JsonNode.Parse(await second.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("no_provider_available", error["code"]!.GetValue<string>());
        Assert.InRange(second.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 20);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task EveryCandidateCoolingDown_RetryAfterIsTheSoonestCooldown()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Status(429, "slow down", retryAfter: "40"));
        b.Enqueue(Scripts.Status(503, "busy", retryAfter: "7"));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        using var first = await gateway.Client.PostAsync(Requests.Hello);
        using var second = await gateway.Client.PostAsync(Requests.Hello);
        var error = JsonNode.Parse(await second.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(("server_error", "no_provider_available"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        Assert.InRange(second.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 5, 7);
        Assert.Single(a.Requests);
        Assert.Single(b.Requests);
    }

    [Fact]
    public async Task RetryableStatusCodes_AreTheProvidersOwnList()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Status(418), Scripts.Status(500));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl).ProviderSetting("a", "RetryableStatusCodes", "418,502-504"));

        using var teapot = await gateway.Client.PostAsync(Requests.Hello);
        using var serverError = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, teapot.StatusCode);      // 418 is in a's list: failed over to b
        Assert.Equal(HttpStatusCode.BadGateway, serverError.StatusCode); // 500 is not: no failover
        Assert.Single(b.Requests);
        Assert.Equal(2, a.Requests.Count);
    }

    [Fact]
    public async Task MaxAttempts_BoundsTheNumberOfUpstreamCalls()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        await using var c = await FakeUpstreamServer.StartAsync();
        foreach (var u in new[] { a, b, c })
        {
            u.Default = Scripts.Status(502);
        }

        var config = new TestConfig()
            .Provider("a", a.BaseUrl).Provider("b", b.BaseUrl).Provider("c", c.BaseUrl)
            .Model("gpt-test", ("a", "m"), ("b", "m"), ("c", "m"))
            .Set("Routing:MaxAttempts", 2);
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(2, a.Requests.Count + b.Requests.Count + c.Requests.Count);
    }

    [Fact]
    public async Task MaxFailoverSeconds_StopsStartingNewAttempts()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Default = Scripts.After(TimeSpan.FromMilliseconds(700), Scripts.Status(500));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl).Set("Routing:MaxFailoverSeconds", 0.3));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Empty(b.Requests);
    }

    [Fact]
    public async Task FirstByteTimeout_FailsOverToNextCandidate()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Hang());
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl).ProviderSetting("a", "FirstByteTimeoutSeconds", 0.3));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.Same(a.Requests[0].Aborted, await Task.WhenAny(a.Requests[0].Aborted, Task.Delay(5000)));
    }

    [Fact]
    public async Task NonStreamResponseTimeout_Returns504()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Hang());
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "ResponseTimeoutSeconds", 0.3));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream_timeout", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task SaturatedProvider_IsSkippedAnd503WhenNoneIsUsable()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("busy")), new SseStep.Hang()));
        var config = new TestConfig()
            .Provider("a", a.BaseUrl).Provider("b", b.BaseUrl)
            .ProviderSetting("a", "MaxConcurrency", 1)
            .ProviderSetting("b", "Weight", 0)
            .Model("gpt-test", ("a", "m"), ("b", "m"))
            .Model("only-a", ("a", "m"));
        await using var gateway = await GatewayApp.StartAsync(config);

        await using var holding = await LiveSse.OpenAsync(gateway.Client, Requests.HelloStream);
        await holding.NextAsync();
        using var routedElsewhere = await gateway.Client.PostAsync(Requests.Hello);
        using var none = await gateway.Client.PostAsync("""{"model":"only-a","messages":[{"role":"user","content":"x"}]}""");

        Assert.Equal(HttpStatusCode.OK, routedElsewhere.StatusCode);
        Assert.Single(b.Requests);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
        Assert.Equal("no_provider_available", JsonNode.Parse(await none.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.Single(a.Requests);
    }

    [Fact]
    public async Task Weights_DrawTheFirstCandidate()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        var config = new TestConfig()
            .Provider("a", a.BaseUrl).Provider("b", b.BaseUrl)
            .Model("gpt-test", ("a", "m"), ("b", "m"))
            .TargetSetting(0, 0, "Weight", 1).TargetSetting(0, 1, "Weight", 3);
        await using var gateway = await GatewayApp.StartAsync(config);

        for (var i = 0; i < 200; i++)
        {
            using var response = await gateway.Client.PostAsync(Requests.Hello);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Expected 150 of 200 on b; the bounds are more than 5 standard deviations wide.
        Assert.InRange(b.Requests.Count, 115, 185);
        Assert.Equal(200, a.Requests.Count + b.Requests.Count);
    }
}
