using System.Net;
using System.Text;
using Gateway.Configuration;
using Gateway.Protocols.Gemini;
using Gateway.Providers;
using Gateway.Routing;
using Xunit;

namespace Gateway.Tests.Protocols.Gemini;

/// <summary>Gemini's error statuses under the SPEC §4 policy.</summary>
public sealed class GeminiErrorsTests
{
    private static readonly Provider Provider = new("g", new ProviderOptions { Kind = ProviderKind.Gemini, BaseUrl = "http://upstream.test/v1beta", ApiKey = "k" });

    [Theory]
    [InlineData(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", null, "RetryableStatus")]
    [InlineData(503, "UNAVAILABLE", "The model is overloaded.", null, "RetryableStatus")]
    [InlineData(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.", null, "Auth")]
    [InlineData(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID", "Auth")]
    [InlineData(400, "INVALID_ARGUMENT", "The input token count exceeds the maximum number of tokens allowed.", null, "ClientError")]
    [InlineData(404, "NOT_FOUND", "models/nope is not found for API version v1beta.", null, "ClientError")]
    public void FromResponse_ClassifiesByStatusAndReason(int code, string status, string message, string? reason, string expected)
    {
        var failure = GeminiErrors.FromResponse(Provider, (HttpStatusCode)code, new HttpResponseMessage().Headers, Body(code, status, message, reason));

        Assert.Equal(expected, failure.Kind.ToString());
        if (expected == nameof(FailureKind.ClientError))
        {
            // A client mistake keeps Gemini's words (re-wrapped in the client's envelope).
            Assert.Equal(message, failure.ClientMessage);
        }
    }

    [Fact]
    public void FromResponse_QuotaWithRetryInfo_CoolsDownForItsDelay()
    {
        var body = """{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"13s"}]}}""";

        var failure = GeminiErrors.FromResponse(Provider, HttpStatusCode.TooManyRequests, new HttpResponseMessage().Headers, Encoding.UTF8.GetBytes(body));

        Assert.Equal(FailureKind.RetryableStatus, failure.Kind);
        Assert.Equal(TimeSpan.FromSeconds(13), failure.RetryAfter);
    }

    [Fact]
    public void FromBody_ErrorEventInAStream_FailsOverByStatus()
    {
        Assert.Equal(FailureKind.RetryableStatus, GeminiErrors.FromBody(Body(503, "UNAVAILABLE", "overloaded", null), 200, "error event").Kind);
        Assert.Equal(FailureKind.Auth, GeminiErrors.FromBody(Body(403, "PERMISSION_DENIED", "denied", null), 200, "error event").Kind);
        Assert.Equal(FailureKind.BadResponse, GeminiErrors.FromBody("not json"u8, 200, "error event").Kind);
    }

    private static byte[] Body(int code, string status, string message, string? reason) => Encoding.UTF8.GetBytes(reason is null
        ? $$$"""{"error":{"code":{{{code}}},"message":"{{{message}}}","status":"{{{status}}}"}}"""
        : $$$"""{"error":{"code":{{{code}}},"message":"{{{message}}}","status":"{{{status}}}","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"{{{reason}}}","domain":"googleapis.com"}]}}""");
}
