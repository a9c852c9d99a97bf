using System.Text;
using Gateway.Chat;
using Gateway.Protocols.Anthropic;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>Anthropic's error envelope: the type for each status, the JSON, and the whole response.</summary>
public sealed class AnthropicErrorEnvelopeTests
{
    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(405, "invalid_request_error")]
    [InlineData(415, "invalid_request_error")]
    [InlineData(422, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(402, "billing_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(529, "overloaded_error")]
    [InlineData(500, "api_error")]
    [InlineData(502, "api_error")]
    [InlineData(504, "api_error")]
    [InlineData(418, "api_error")]
    public void TypeFor_Status_IsAnthropicsErrorType(int status, string type)
    {
        Assert.Equal(type, AnthropicErrorEnvelope.TypeFor(status));
    }

    [Fact]
    public void Serialize_TypeErrorWithTheStatusTypeAndTheMessage()
    {
        var json = AnthropicErrorEnvelope.Serialize(GatewayError.InvalidRequest("invalid_request", "max_tokens: \"x\" is not ünïcode-free", "max_tokens"));

        Assert.Equal("""{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: \"x\" is not ünïcode-free"}}""", Encoding.UTF8.GetString(json.Span));
    }

    [Fact]
    public async Task WriteAsync_GatewaysOwnError_TheEnvelopeWithStatusLengthAndRetryAfter()
    {
        var (context, body) = Context();
        var error = GatewayError.RateLimited(7);

        await AnthropicErrorEnvelope.WriteAsync(context.Response, error);

        var expected = AnthropicErrorEnvelope.Serialize(error).ToArray();
        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("7", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(expected.Length, context.Response.ContentLength);
        Assert.Equal(expected, body.ToArray());
        Assert.Contains("\"rate_limit_error\"", Encoding.UTF8.GetString(expected), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_AnAnthropicUpstreamsOwnBody_IsRelayedAsItIs()
    {
        var (context, body) = Context();
        var upstream = """{"type":"error","error":{"type":"invalid_request_error","message":"messages.0: upstream's own words"},"request_id":"req_1"}"""u8.ToArray();
        var error = GatewayError.InvalidRequest("invalid_request", "gateway words", null) with { UpstreamBody = upstream, UpstreamBodyFormat = WireFormat.AnthropicMessages };

        await AnthropicErrorEnvelope.WriteAsync(context.Response, error);

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal(upstream, body.ToArray());
        Assert.Equal(upstream.Length, context.Response.ContentLength);
    }

    [Fact]
    public async Task WriteAsync_AnUpstreamBodyOfAnotherFormat_IsNotRelayed()
    {
        var (context, body) = Context();
        var upstream = """{"error":{"message":"openai words","type":"invalid_request_error"}}"""u8.ToArray();
        var error = GatewayError.InvalidRequest("invalid_request", "gateway words", null) with { UpstreamBody = upstream, UpstreamBodyFormat = WireFormat.OpenAIChat };

        await AnthropicErrorEnvelope.WriteAsync(context.Response, error);

        Assert.Equal("""{"type":"error","error":{"type":"invalid_request_error","message":"gateway words"}}""", Encoding.UTF8.GetString(body.ToArray()));
    }

    private static (DefaultHttpContext Context, MemoryStream Body) Context()
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }
}
