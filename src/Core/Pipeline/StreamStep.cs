namespace Gateway.Pipeline;

/// <summary>What one upstream event turned out to be.</summary>
internal enum StreamStep
{
    /// <summary>Nothing the client must see yet (a role-only chunk, <c>message_start</c>, a ping): held back until the first content.</summary>
    Preamble,

    /// <summary>
    /// The upstream is answering but a stage holds what it sent until it can tell what it is (a tool call
    /// read from text): nothing for the client yet, but the first-content timer stops.
    /// </summary>
    Progress,

    /// <summary>Content: text, reasoning, a refusal, a tool call or a finish.</summary>
    Content,

    /// <summary>The upstream sent an error in the stream.</summary>
    UpstreamError,

    /// <summary>The event is not what the upstream's format allows.</summary>
    Malformed,
}
