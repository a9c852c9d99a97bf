using System.Net;
using System.Net.Http.Headers;
using Gateway.Configuration;
using Gateway.Providers;
using Gateway.Routing;
using Xunit;

namespace Gateway.Tests.Routing;

/// <summary>The status policy of SPEC §4: which upstream answers fail over, and as what.</summary>
public sealed class FailureClassifierTests
{
    private static readonly Provider Default = ProviderWith(retryable: null);

    [Theory]
    [InlineData(401)]
    [InlineData(402)]
    [InlineData(403)]
    public void FromStatus_CredentialStatus_IsAuthFailureThatFailsOver(int status)
    {
        var failure = Classify(status, "nothing about keys here");

        Assert.Equal(FailureKind.Auth, failure.Kind);
        Assert.Equal(status, failure.Status);
        Assert.Equal($"HTTP {status} (credentials, billing or quota)", failure.Detail);
        Assert.True(failure.AllowsFailover);
        Assert.True(failure.CountsAgainstTarget);
        Assert.Null(failure.ClientMessage);
        Assert.Null(failure.RetryAfter);
    }

    // Every phrase new-api's channel auto-disable reacts to (or that names a key, billing or quota
    // problem) must be an auth failure, whatever the status and the letter case.
    [Theory]
    [InlineData("Incorrect API key provided: sk-****")]
    [InlineData("missing api_key parameter")]
    [InlineData("invalid apikey")]
    [InlineData("The security credential is invalid")]
    [InlineData("Unauthorized request")]
    [InlineData("request is unauthenticated")]
    [InlineData("Permission denied for this model")]
    [InlineData("Your credit balance is too low")]
    [InlineData("check your Billing details")]
    [InlineData("You exceeded your current quota")]
    [InlineData("code: insufficient_quota")]
    [InlineData("This organization has been disabled.")]
    [InlineData("Your account is not authorized to use this model")]
    [InlineData("The security token included in the request is invalid")]
    [InlineData("Operation not allowed")]
    [InlineData("invalid token")]
    [InlineData("Token expired at noon")]
    [InlineData("ACCESS DENIED")]
    [InlineData("Payment Required")]
    public void FromStatus_CredentialPhrase_IsAuthFailureNotTheClientsError(string message)
    {
        foreach (var status in new[] { 400, 404, 500, 409 })
        {
            var failure = Classify(status, message);

            Assert.Equal(FailureKind.Auth, failure.Kind);
            Assert.Equal(status, failure.Status);
            Assert.Null(failure.ClientMessage);
        }

        Assert.True(FailureClassifier.SpeaksOfCredentials(message));
        Assert.True(FailureClassifier.SpeaksOfCredentials(message.ToUpperInvariant()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("This model's maximum context length is 8192 tokens")]
    [InlineData("key")]
    [InlineData("tokens")]
    public void SpeaksOfCredentials_OtherText_IsFalse(string? message)
    {
        Assert.False(FailureClassifier.SpeaksOfCredentials(message));
    }

    [Theory]
    [InlineData(400, "invalid_request")]
    [InlineData(404, "model_not_found")]
    [InlineData(413, "request_too_large")]
    [InlineData(422, "invalid_request")]
    public void FromStatus_ClientMistake_KeepsStatusAndMessageWithoutFailover(int status, string code)
    {
        var failure = Classify(status, "This model's maximum context length is 8192 tokens");

        Assert.Equal(FailureKind.ClientError, failure.Kind);
        Assert.Equal(status, failure.Status);
        Assert.Equal($"HTTP {status}", failure.Detail);
        Assert.Equal("This model's maximum context length is 8192 tokens", failure.ClientMessage);
        Assert.False(failure.AllowsFailover);
        Assert.False(failure.CountsAgainstTarget);
        var error = failure.ToClientError(anyAuthFailure: false);
        Assert.Equal((status, "invalid_request_error", code, "This model's maximum context length is 8192 tokens", "invalid_request"), (error.Status, error.Type, error.Code, error.Message, error.EndReason));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(529)]
    public void FromStatus_RetryableStatus_FailsOver(int status)
    {
        var failure = Classify(status, "temporarily unavailable");

        Assert.Equal(FailureKind.RetryableStatus, failure.Kind);
        Assert.Equal(status, failure.Status);
        Assert.Equal($"HTTP {status}", failure.Detail);
        Assert.True(failure.AllowsFailover);
        Assert.Null(failure.ClientMessage);
    }

    [Fact]
    public void FromStatus_ProvidersOwnRetryableList_Decides()
    {
        var provider = ProviderWith(retryable: "409,500");

        Assert.Equal(FailureKind.RetryableStatus, FailureClassifier.FromStatus(provider, HttpStatusCode.Conflict, Headers(), null).Kind);
        Assert.Equal(FailureKind.Status, FailureClassifier.FromStatus(provider, HttpStatusCode.BadGateway, Headers(), null).Kind);
        Assert.Equal(FailureKind.Status, FailureClassifier.FromStatus(provider, HttpStatusCode.TooManyRequests, Headers(), null).Kind);
    }

    [Theory]
    [InlineData(409)]
    [InlineData(501)]
    [InlineData(418)]
    public void FromStatus_OtherStatus_Is502WithoutFailover(int status)
    {
        var failure = Classify(status, "conflict");

        Assert.Equal(FailureKind.Status, failure.Kind);
        Assert.Equal($"HTTP {status}", failure.Detail);
        Assert.Null(failure.ClientMessage);
        Assert.False(failure.AllowsFailover);
        Assert.True(failure.CountsAgainstTarget);
        var error = failure.ToClientError(anyAuthFailure: false);
        Assert.Equal((502, "upstream_error", "upstream_http_error", $"The upstream failed with HTTP {status}."), (error.Status, error.Type, error.Code, error.Message));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void FromStatus_RetryAfterSeconds_IsKept(int status)
    {
        var failure = Classify(status, null, "7");

        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
    }

    [Fact]
    public void FromStatus_RetryAfterHttpDate_IsTheTimeUntilThen()
    {
        var headers = Headers();
        headers.RetryAfter = new RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddSeconds(120));

        var failure = FailureClassifier.FromStatus(Default, HttpStatusCode.TooManyRequests, headers, null);

        // An HTTP date has whole seconds, and the clock moved on a little.
        Assert.InRange(failure.RetryAfter!.Value, TimeSpan.FromSeconds(110), TimeSpan.FromSeconds(120));
    }

    [Fact]
    public void FromStatus_RetryAfterDateInThePast_IsZero()
    {
        var headers = Headers();
        headers.RetryAfter = new RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddMinutes(-5));

        var failure = FailureClassifier.FromStatus(Default, HttpStatusCode.ServiceUnavailable, headers, null);

        Assert.Equal(TimeSpan.Zero, failure.RetryAfter);
    }

    [Theory]
    [InlineData("1.5", 1500)]
    [InlineData("0.25", 250)]
    [InlineData("0", 0)]
    public void FromStatus_RetryAfterWithFraction_IsKept(string value, int milliseconds)
    {
        var failure = Classify(429, null, value);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), failure.RetryAfter);
    }

    [Theory]
    [InlineData("-3")]
    [InlineData("-0.5")]
    [InlineData("soon")]
    public void FromStatus_RetryAfterUnusable_IsIgnored(string value)
    {
        var failure = Classify(429, null, value);

        Assert.Equal(FailureKind.RetryableStatus, failure.Kind);
        Assert.Null(failure.RetryAfter);
    }

    [Fact]
    public void FromStatus_RetryAfterOnAnotherStatus_IsIgnored()
    {
        Assert.Null(Classify(500, null, "7").RetryAfter);
        Assert.Null(Classify(408, null, "7").RetryAfter);
    }

    // A quota 429 is an auth failure (new-api would disable the channel on its text) but still says when to retry.
    [Fact]
    public void FromStatus_QuotaMessageOn429_IsAuthFailureWithRetryAfter()
    {
        var failure = Classify(429, "You exceeded your current quota", "30");

        Assert.Equal(FailureKind.Auth, failure.Kind);
        Assert.Equal("HTTP 429 (credentials, billing or quota)", failure.Detail);
        Assert.Equal(TimeSpan.FromSeconds(30), failure.RetryAfter);
    }

    [Fact]
    public void FromBody_CredentialMessage_IsAuthFailure()
    {
        var failure = FailureClassifier.FromBody("invalid api key", 200, "error event");

        Assert.Equal(new UpstreamFailure(FailureKind.Auth, 200, "error event"), failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("internal failure")]
    public void FromBody_OtherMessage_IsBadResponse(string? message)
    {
        var failure = FailureClassifier.FromBody(message, 200, "error event");

        Assert.Equal(new UpstreamFailure(FailureKind.BadResponse, 200, "error event"), failure);
        Assert.True(failure.AllowsFailover);
    }

    [Theory]
    [InlineData("overloaded_error", nameof(FailureKind.RetryableStatus))]
    [InlineData("rate_limit_error", nameof(FailureKind.RetryableStatus))]
    [InlineData("api_error", nameof(FailureKind.RetryableStatus))]
    [InlineData("timeout_error", nameof(FailureKind.RetryableStatus))]
    [InlineData("authentication_error", nameof(FailureKind.Auth))]
    [InlineData("permission_error", nameof(FailureKind.Auth))]
    [InlineData("billing_error", nameof(FailureKind.Auth))]
    public void FromAnthropicError_KnownType_NamesItInTheDetail(string type, string kind)
    {
        var failure = FailureClassifier.FromAnthropicError(type, "Overloaded", 200, "stream error");

        Assert.Equal(new UpstreamFailure(Enum.Parse<FailureKind>(kind), 200, $"stream error ({type})"), failure);
    }

    [Theory]
    [InlineData("invalid_request_error", "prompt is too long", nameof(FailureKind.BadResponse))]
    [InlineData(null, "Your credit balance is too low", nameof(FailureKind.Auth))]
    public void FromAnthropicError_OtherType_JudgedByItsMessage(string? type, string message, string kind)
    {
        var failure = FailureClassifier.FromAnthropicError(type, message, 200, "stream error");

        Assert.Equal(new UpstreamFailure(Enum.Parse<FailureKind>(kind), 200, "stream error"), failure);
    }

    private static UpstreamFailure Classify(int status, string? message, string? retryAfter = null)
    {
        var headers = Headers();
        if (retryAfter is not null)
        {
            headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return FailureClassifier.FromStatus(Default, (HttpStatusCode)status, headers, message);
    }

    private static HttpResponseHeaders Headers()
    {
        using var response = new HttpResponseMessage();
        return response.Headers;
    }

    private static Provider ProviderWith(string? retryable)
    {
        var options = new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://127.0.0.1:1/v1" };
        return new Provider("p", retryable is null ? options : options with { RetryableStatusCodes = retryable });
    }
}
