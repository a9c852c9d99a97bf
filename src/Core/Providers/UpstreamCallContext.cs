namespace Gateway.Providers;

/// <summary>Per-request values that go on every upstream call of that request.</summary>
/// <param name="RequestId">Sent as <c>x-request-id</c>.</param>
/// <param name="TraceParent">Sent as <c>traceparent</c>.</param>
/// <param name="ClientBearer">The client's key, for <c>UpstreamAuth: PassThrough</c>.</param>
internal sealed record UpstreamCallContext(string RequestId, string TraceParent, string? ClientBearer)
{
    /// <summary>The client's <c>anthropic-version</c> header, for Anthropic-kind targets.</summary>
    public string? AnthropicVersion { get; init; }

    /// <summary>The client's <c>anthropic-beta</c> header, for Anthropic-kind targets (filtered by the provider's allow-list).</summary>
    public string? AnthropicBeta { get; init; }
}
