namespace Gateway.Pipeline;

/// <summary>What one upstream event turned out to be.</summary>
internal enum StreamStep
{
    /// <summary>Nothing the client must see yet (a role-only chunk, <c>message_start</c>, a ping): held back until the first content.</summary>
    Preamble,

    /// <summary>Content: text, reasoning, a refusal, a tool call or a finish.</summary>
    Content,

    /// <summary>The upstream sent an error in the stream.</summary>
    UpstreamError,

    /// <summary>The event is not what the upstream's format allows.</summary>
    Malformed,
}
