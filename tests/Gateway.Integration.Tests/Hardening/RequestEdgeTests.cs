using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Hardening;

/// <summary>Client input at the edges the corpus only checks for "no 5xx": what exactly happens to it.</summary>
public sealed class RequestEdgeTests
{
    // Regression: a repeated key inside a member the gateway rewrites was a 500 (the DOM threw on it).
    [Fact]
    public async Task DuplicateKeysInRewrittenMembers_LastOneWins()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        const string body = """
            {"model":"gpt-test","stream":true,"stream_options":{"include_usage":false,"x":1,"x":2},
             "functions":[{"name":"f","parameters":{"type":"object"}}],"function_call":{"name":"g","name":"f"},
             "messages":[{"role":"user","content":"a","content":"b"}]}
            """;

        var (response, _, _) = await gateway.Client.StreamAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(upstream.Requests).Json;
        Assert.Equal("""{"include_usage":true,"x":2}""", sent["stream_options"]!.ToJsonString());
        Assert.Equal("f", sent["tool_choice"]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("b", sent["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/messages")]
    public async Task LoneSurrogateInTheModel_Is400InvalidJsonNamingIt(string path)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt\ud800","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", path);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("model: the string is not valid Unicode (an escaped lone surrogate)", error["message"]!.GetValue<string>());
        Assert.Empty(upstream.Requests);
    }

    // Where the gateway translates, it decodes every string: one that is not valid Unicode is named, not relayed.
    [Fact]
    public async Task LoneSurrogateInContentOnATranslatedPath_Is400NamingTheField()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"a\udc00"}]}]}""", Requests.MessagesPath);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("messages[0].content[0].text", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    // On the byte path the gateway does not decode content: the bytes reach the upstream as sent.
    [Fact]
    public async Task LoneSurrogateInContentOnTheBytePath_IsRelayedUnchanged()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.Completion("fine")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","messages":[{"role":"user","content":"a\ud800b"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"content\":\"a\\ud800b\"", Assert.Single(upstream.Requests).BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task EncodedBody_IsDecodedBeforeAnythingReadsIt(string encoding)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(Compress(Encoding.UTF8.GetBytes(Requests.Hello), encoding)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Content.Headers.ContentEncoding.Add(encoding);

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello", Assert.Single(upstream.Requests).Json["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Null(upstream.Requests[0].Header("Content-Encoding"));
    }

    [Fact]
    public async Task EncodedBodyThatInflatesPastTheLimit_Is413()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Limits:MaxRequestBytes", 10_000));
        var inflated = Encoding.UTF8.GetBytes(Requests.Hello[..^1] + ",\"pad\":\"" + new string(' ', 50_000) + "\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(Compress(inflated, "gzip")) };
        request.Content.Headers.ContentEncoding.Add("gzip");

        using var response = await gateway.Client.SendAsync(request);

        Assert.True(request.Content.Headers.ContentLength < 10_000);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(upstream.Requests);
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
        })
        {
            compressor.Write(data);
        }

        return output.ToArray();
    }
}
