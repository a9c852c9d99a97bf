using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Endpoints;

public sealed class ChatCompletionsTests
{
    [Fact]
    public async Task NonStream_ReturnsUpstreamCompletionWithUsage()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("echo: hello", body["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal(12, body["usage"]!["total_tokens"]!.GetValue<int>());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("fake-model", sent.Json["model"]!.GetValue<string>());
    }

    // Regression (seed: mix2api treated an omitted stream as stream=true).
    [Fact]
    public async Task StreamOmitted_ReturnsJsonNotSse()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(upstream.Requests[0].Json["stream"]);
    }

    [Fact]
    public async Task AcceptEventStreamWithoutStreamField_Streams()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.Hello, r => r.Headers.Accept.ParseAdd("text/event-stream"));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.True(upstream.Requests[0].Json["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ExplicitStreamFalseWithAcceptEventStream_ReturnsJson()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(
            """{"model":"gpt-test","stream":false,"messages":[{"role":"user","content":"hello"}]}""",
            configure: r => r.Headers.Accept.ParseAdd("text/event-stream"));

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/chat/completions")]
    [InlineData("/")]
    public async Task AllChatRoutes_BehaveTheSame(string path)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("client", "sk-client")));

        using var ok = await gateway.Client.PostAsync(Requests.Hello, path, r => r.Bearer("sk-client"));
        using var unauthorized = await gateway.Client.PostAsync(Requests.Hello, path);
        using var invalid = await gateway.Client.PostAsync("{", path, r => r.Bearer("sk-client"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task UnknownModel_Returns404ModelNotFound()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"no-such-model","messages":[{"role":"user","content":"x"}]}""");
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal("model_not_found", error["code"]!.GetValue<string>());
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task ModelNotConfigured_RoutesToProviderThatReportsIt()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Models = ["listed-upstream-model"];
        var config = new TestConfig().Set("Providers:fetching:Kind", "OpenAI").Set("Providers:fetching:BaseUrl", upstream.BaseUrl);
        await using var gateway = await GatewayApp.StartAsync(config);

        using var response = await gateway.Client.PostAsync("""{"model":"listed-upstream-model","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("listed-upstream-model", Assert.Single(upstream.Requests).Json["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{", "invalid_json", null)]
    [InlineData("[1,2]", "invalid_json", null)]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "invalid_request", "model")]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"x"}]}""", "invalid_request", "model")]
    [InlineData("""{"model":"gpt-test","messages":[]}""", "invalid_request", "messages")]
    [InlineData("""{"model":"gpt-test","messages":"hi"}""", "invalid_request", "messages")]
    [InlineData("""{"model":"gpt-test","messages":["hi"]}""", "invalid_request", "messages")]
    [InlineData("""{"model":"gpt-test","messages":[{"role":5,"content":"x"}]}""", "invalid_request", "messages")]
    [InlineData("""{"model":"gpt-test","messages":[{"content":"x"}]}""", "invalid_request", "messages")]
    [InlineData("""{"model":"gpt-test","stream":"yes","messages":[{"role":"user","content":"x"}]}""", "invalid_request", "stream")]
    [InlineData("""{"model":"gpt-test","tools":{},"messages":[{"role":"user","content":"x"}]}""", "invalid_request", "tools")]
    [InlineData("""{"model":"gpt-test","messages":[{"role":"user","content":"x"}]} trailing""", "invalid_json", null)]
    public async Task BadInput_Returns400InOpenAIEnvelope(string body, string code, string? param)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(body);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Equal(param, error["param"]?.GetValue<string>());
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task InvalidUtf8_Returns400()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        var bytes = Encoding.UTF8.GetBytes("""{"model":"gpt-test","messages":[{"role":"user","content":"AB"}]}""");
        var at = Array.IndexOf(bytes, (byte)'A');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28; // 0xC3 0x28 is not valid UTF-8

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(bytes) };
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // Regression: a body with broken framing (Kestrel's BadHttpRequestException) answered 500.
    [Fact]
    public async Task MalformedChunkedBody_Returns400()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(gateway.Root.Host, gateway.Root.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n"));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var answer = Encoding.ASCII.GetString(buffer, 0, read);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task BodyOverLimit_Returns413WithContentLengthAndChunked()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Limits:MaxRequestBytes", 1000));
        var big = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 5000) + "\"}]}";

        using var declared = await gateway.Client.PostAsync(big);
        using var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) };
        chunkedRequest.Headers.TransferEncodingChunked = true;
        using var chunked = await gateway.Client.SendAsync(chunkedRequest);

        foreach (var response in new[] { declared, chunked })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("request_too_large", error["code"]!.GetValue<string>());
        }

        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task UnknownRouteAndWrongMethod_ReturnJsonErrors()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var missing = await gateway.Client.GetAsync("/v1/nothing-here");
        using var wrongMethod = await gateway.Client.GetAsync("/v1/chat/completions");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found", JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("invalid_request_error", JsonNode.Parse(await wrongMethod.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownFields_ReachUpstreamUnchanged()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        const string extras = """
            "vendor_extension":{"nested":[1,2.50,{"k":"中文 \u2028"}],"flag":null},"metadata":{"a":"b"},"service_tier":"flex","temperature":0.25
            """;

        using var response = await gateway.Client.PostAsync("{" + extras + ",\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.Requests[0].BodyText;
        Assert.Contains(extras, sent, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"fake-model\"", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonStreamUpstreamWithoutUsage_GetsEstimatedUsageAndLogSaysSo()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.Completion("The quick brown fox jumps over the lazy dog.", includeUsage: false)));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["usage"]!;
        var line = await gateway.Logs.WaitForRequestLineAsync();

        Assert.InRange(usage["completion_tokens"]!.GetValue<int>(), 8, 14);
        Assert.True(usage["prompt_tokens"]!.GetValue<int>() > 0);
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>() + usage["completion_tokens"]!.GetValue<int>(), usage["total_tokens"]!.GetValue<int>());
        Assert.Equal("true", line["usage_estimated"]);
    }

    [Fact]
    public async Task UpstreamJsonErrorOn200_FailsOverAndIsNeverRelayed()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Json("""{"error":{"message":"internal thing","type":"server_error"}}"""));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("echo: hello", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(b.Requests);
    }
}
