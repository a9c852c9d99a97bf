namespace Gateway.Protocols.OpenAIChat;

/// <summary>What one upstream event turned out to be.</summary>
internal enum StreamStep
{
    /// <summary>Role-only, empty or <c>choices:[]</c> chunk: held back until the first content.</summary>
    Preamble,

    /// <summary>A chunk with content (text, reasoning, refusal, tool calls or a finish_reason).</summary>
    Content,

    /// <summary>The upstream sent an error object in the stream.</summary>
    UpstreamError,

    /// <summary>The event is not a JSON object.</summary>
    Malformed,
}
