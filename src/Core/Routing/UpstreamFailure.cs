using Gateway.Chat;

namespace Gateway.Routing;

/// <summary>A failed upstream attempt, as a value (expected failures are not exceptions).</summary>
internal sealed record UpstreamFailure(FailureKind Kind, int? Status, string Detail)
{
    /// <summary>Upstream's <c>Retry-After</c> on a 429/503.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Upstream's own message, kept only for <see cref="FailureKind.ClientError"/>.</summary>
    public string? ClientMessage { get; init; }

    /// <summary>Upstream's own error body, kept only for <see cref="FailureKind.ClientError"/> (a same-format client gets it unmodified).</summary>
    public ReadOnlyMemory<byte>? ClientBody { get; init; }

    /// <summary>The upstream's own error type, code and message start (redacted), for the log line.</summary>
    public Diagnostics.UpstreamErrorDetail? Upstream { get; init; }

    /// <summary>The wire format of <see cref="ClientBody"/>.</summary>
    public WireFormat ClientBodyFormat { get; init; }

    /// <summary>Another candidate may be tried after this failure.</summary>
    public bool AllowsFailover => Kind is not (FailureKind.ClientError or FailureKind.Status or FailureKind.Shutdown);

    /// <summary>Counted by the target's circuit breaker (a client's mistake or our shutdown says nothing about the upstream).</summary>
    public bool CountsAgainstTarget => Kind is not (FailureKind.ClientError or FailureKind.Shutdown);

    /// <summary>The error the client gets when this is the last failure (SPEC §4 status policy).</summary>
    public GatewayError ToClientError(bool anyAuthFailure) => Kind switch
    {
        FailureKind.ClientError => new GatewayError(Status ?? 400, "invalid_request_error", ClientCode(Status), ClientMessage ?? "The upstream rejected the request.")
        {
            EndReason = "invalid_request",
            UpstreamBody = ClientBody,
            UpstreamBodyFormat = ClientBodyFormat,
        },
        FailureKind.Shutdown => new GatewayError(503, "server_error", "gateway_shutting_down", "The gateway is shutting down; retry the request.") { EndReason = "overloaded" },
        _ when anyAuthFailure || Kind == FailureKind.Auth => new GatewayError(502, "upstream_error", "upstream_auth_error", "The upstream rejected the gateway's credentials.")
        {
            EndReason = "upstream_error",
        },
        FailureKind.Timeout => new GatewayError(504, "upstream_error", "upstream_timeout", "The upstream did not answer in time.") { EndReason = "timeout" },
        FailureKind.Transport => new GatewayError(502, "upstream_error", "upstream_unavailable", "The upstream could not be reached.") { EndReason = "upstream_error" },
        FailureKind.BadResponse => new GatewayError(502, "upstream_error", "upstream_bad_response", "The upstream returned an unusable response.") { EndReason = "upstream_error" },
        _ => new GatewayError(502, "upstream_error", "upstream_http_error", $"The upstream failed with HTTP {Status}.") { EndReason = "upstream_error" },
    };

    private static string ClientCode(int? status) => status switch
    {
        404 => "model_not_found",
        413 => "request_too_large",
        _ => "invalid_request",
    };
}
