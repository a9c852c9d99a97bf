using Gateway.Chat;
using Gateway.Routing;
using Xunit;

namespace Gateway.Tests.Routing;

/// <summary>The error a client gets for the last failure of a failover loop (SPEC §4 status policy).</summary>
public sealed class UpstreamFailureTests
{
    [Theory]
    [InlineData(nameof(FailureKind.Timeout), 504, "upstream_timeout", "The upstream did not answer in time.", "timeout")]
    [InlineData(nameof(FailureKind.Transport), 502, "upstream_unavailable", "The upstream could not be reached.", "upstream_error")]
    [InlineData(nameof(FailureKind.BadResponse), 502, "upstream_bad_response", "The upstream returned an unusable response.", "upstream_error")]
    [InlineData(nameof(FailureKind.RetryableStatus), 502, "upstream_http_error", "The upstream failed with HTTP 503.", "upstream_error")]
    [InlineData(nameof(FailureKind.Status), 502, "upstream_http_error", "The upstream failed with HTTP 503.", "upstream_error")]
    [InlineData(nameof(FailureKind.Auth), 502, "upstream_auth_error", "The upstream rejected the gateway's credentials.", "upstream_error")]
    public void ToClientError_EachKind_HasItsStatusCodeAndFixedMessage(string kind, int status, string code, string message, string endReason)
    {
        var error = new UpstreamFailure(Enum.Parse<FailureKind>(kind), 503, "detail the client never sees").ToClientError(anyAuthFailure: false);

        Assert.Equal((status, "upstream_error", code, message, endReason), (error.Status, error.Type, error.Code, error.Message, error.EndReason));
        Assert.Null(error.RetryAfterSeconds);
    }

    [Theory]
    [InlineData(nameof(FailureKind.Timeout))]
    [InlineData(nameof(FailureKind.Transport))]
    [InlineData(nameof(FailureKind.BadResponse))]
    [InlineData(nameof(FailureKind.RetryableStatus))]
    [InlineData(nameof(FailureKind.Status))]
    public void ToClientError_AfterAnEarlierAuthFailure_IsTheAuthError(string kind)
    {
        var error = new UpstreamFailure(Enum.Parse<FailureKind>(kind), 500, "HTTP 500").ToClientError(anyAuthFailure: true);

        Assert.Equal((502, "upstream_error", "upstream_auth_error", "The upstream rejected the gateway's credentials."), (error.Status, error.Type, error.Code, error.Message));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ToClientError_Shutdown_Is503WhateverCameBefore(bool anyAuthFailure)
    {
        var failure = new UpstreamFailure(FailureKind.Shutdown, null, "shutting down");

        var error = failure.ToClientError(anyAuthFailure);

        Assert.Equal((503, "server_error", "gateway_shutting_down", "The gateway is shutting down; retry the request.", "overloaded"), (error.Status, error.Type, error.Code, error.Message, error.EndReason));
    }

    [Fact]
    public void ToClientError_ClientErrorAfterAuthFailure_KeepsTheUpstreamsBodyAndWording()
    {
        var body = new ReadOnlyMemory<byte>("""{"type":"error"}"""u8.ToArray());
        var failure = new UpstreamFailure(FailureKind.ClientError, 422, "HTTP 422")
        {
            ClientMessage = "bad parameter: top_k",
            ClientBody = body,
            ClientBodyFormat = WireFormat.AnthropicMessages,
        };

        var error = failure.ToClientError(anyAuthFailure: true);

        Assert.Equal((422, "invalid_request_error", "invalid_request", "bad parameter: top_k", "invalid_request"), (error.Status, error.Type, error.Code, error.Message, error.EndReason));
        Assert.True(error.UpstreamBody!.Value.Span.SequenceEqual(body.Span));
        Assert.Equal(WireFormat.AnthropicMessages, error.UpstreamBodyFormat);
    }

    [Fact]
    public void ToClientError_ClientErrorWithoutStatusOrMessage_IsAGeneric400()
    {
        var error = new UpstreamFailure(FailureKind.ClientError, null, "rejected").ToClientError(anyAuthFailure: false);

        Assert.Equal((400, "invalid_request", "The upstream rejected the request."), (error.Status, error.Code, error.Message));
        Assert.Null(error.UpstreamBody);
    }

    [Theory]
    [InlineData(nameof(FailureKind.Transport), true, true)]
    [InlineData(nameof(FailureKind.Timeout), true, true)]
    [InlineData(nameof(FailureKind.RetryableStatus), true, true)]
    [InlineData(nameof(FailureKind.Auth), true, true)]
    [InlineData(nameof(FailureKind.BadResponse), true, true)]
    [InlineData(nameof(FailureKind.ClientError), false, false)]
    [InlineData(nameof(FailureKind.Status), false, true)]
    [InlineData(nameof(FailureKind.Shutdown), false, false)]
    public void AllowsFailover_EachKind_DecidesFailoverAndTheCircuitCount(string kind, bool failover, bool counts)
    {
        var failure = new UpstreamFailure(Enum.Parse<FailureKind>(kind), 500, "x");

        Assert.Equal((failover, counts), (failure.AllowsFailover, failure.CountsAgainstTarget));
    }
}
