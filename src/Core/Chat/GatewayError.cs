namespace Gateway.Chat;

/// <summary>
/// An error the gateway answers with, independent of the inbound format; each format's writer puts it
/// in its own envelope. <see cref="Type"/> is never empty (new-api treats a typed error body as an error).
/// </summary>
internal sealed record GatewayError(int Status, string Type, string Code, string Message, string? Param = null)
{
    /// <summary>Seconds the client should wait, sent as <c>Retry-After</c>.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The log line's <c>end_reason</c> for this error.</summary>
    public required string EndReason { get; init; }

    /// <summary>
    /// The upstream's own error body, for a client mistake the upstream reported in the client's own format
    /// (SPEC §4: an Anthropic client gets an Anthropic upstream's body unmodified; Claude Code matches on its wording).
    /// </summary>
    public ReadOnlyMemory<byte>? UpstreamBody { get; init; }

    /// <summary>The format of <see cref="UpstreamBody"/>.</summary>
    public WireFormat UpstreamBodyFormat { get; init; }

    public static GatewayError InvalidRequest(string code, string message, string? param) =>
        new(400, "invalid_request_error", code, message, param) { EndReason = "invalid_request" };

    public static GatewayError InvalidApiKey() =>
        new(401, "invalid_request_error", "invalid_api_key", "Incorrect or missing API key.") { EndReason = "auth_error" };

    public static GatewayError ModelNotFound(string model) =>
        new(404, "invalid_request_error", "model_not_found", $"The model '{model}' does not exist or is not served by this gateway.", "model") { EndReason = "not_found" };

    public static GatewayError RouteNotFound() =>
        new(404, "invalid_request_error", "not_found", "Unknown route.") { EndReason = "not_found" };

    public static GatewayError MethodNotAllowed() =>
        new(405, "invalid_request_error", "method_not_allowed", "Method not allowed on this route.") { EndReason = "invalid_request" };

    public static GatewayError TooLarge(long limit) =>
        new(413, "invalid_request_error", "request_too_large", $"Request body exceeds the limit of {limit} bytes.") { EndReason = "too_large" };

    public static GatewayError UnsupportedEncoding(string encoding) =>
        new(415, "invalid_request_error", "unsupported_content_encoding", $"Content-Encoding '{encoding}' is not supported; send the body as is, gzip, deflate or br.") { EndReason = "invalid_request" };

    public static GatewayError RateLimited(int retryAfterSeconds) =>
        new(429, "rate_limit_error", "rate_limit_exceeded", "Too many requests for this key; retry later.")
        {
            RetryAfterSeconds = retryAfterSeconds,
            EndReason = "rate_limited",
        };

    public static GatewayError NoProviderAvailable(int? retryAfterSeconds) =>
        new(503, "server_error", "no_provider_available", "No upstream is available for this model right now (all saturated or cooling down).")
        {
            RetryAfterSeconds = retryAfterSeconds,
            EndReason = "overloaded",
        };

    public static GatewayError Internal() =>
        new(500, "server_error", "internal_error", "The gateway failed to process the request.") { EndReason = "adapter_error" };
}
