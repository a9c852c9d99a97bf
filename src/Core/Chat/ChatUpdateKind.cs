namespace Gateway.Chat;

/// <summary>What one <see cref="ChatUpdate"/> carries.</summary>
internal enum ChatUpdateKind
{
    /// <summary>The response's identity: id, model, created (preamble).</summary>
    Start,

    /// <summary>A piece of the answer's text.</summary>
    TextDelta,

    /// <summary>A piece of visible reasoning.</summary>
    ReasoningDelta,

    /// <summary>The signature that closes the current reasoning block (<see cref="ChatUpdate.Opaque"/>).</summary>
    ReasoningSignature,

    /// <summary>A whole redacted reasoning block (<see cref="ChatUpdate.Opaque"/>).</summary>
    RedactedReasoning,

    /// <summary>A piece of a refusal (OpenAI <c>refusal</c>).</summary>
    RefusalDelta,

    /// <summary>A tool call begins: its index, id and name (and a Gemini signature, if any).</summary>
    ToolCallStart,

    /// <summary>A piece of the current arguments of tool call <see cref="ChatUpdate.ToolIndex"/>.</summary>
    ToolArgumentsDelta,

    /// <summary>The choice finished (<see cref="ChatUpdate.Finish"/>).</summary>
    Finish,

    /// <summary>Token counts so far (<see cref="ChatUpdate.Usage"/>); cumulative, merged by field.</summary>
    Usage,
}
