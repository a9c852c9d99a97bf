namespace Gateway.Chat;

/// <summary>
/// Why the model stopped, in OpenAI's vocabulary (the neutral one: every format maps to and from it). An
/// open value: unknown reasons from an upstream round-trip unchanged.
/// </summary>
internal readonly record struct FinishReason(string Value)
{
    public static readonly FinishReason Stop = new("stop");
    public static readonly FinishReason Length = new("length");
    public static readonly FinishReason ToolCalls = new("tool_calls");
    public static readonly FinishReason ContentFilter = new("content_filter");
    public static readonly FinishReason FunctionCall = new("function_call");

    /// <summary>Anthropic's <c>pause_turn</c>: a long server-tool turn paused; the client sends it back to continue.</summary>
    public static readonly FinishReason PauseTurn = new("pause_turn");

    /// <summary>
    /// SPEC §5 Tools: the reason follows what was emitted (<c>tool_calls</c> when any call was sent), except
    /// that an upstream <c>length</c> or <c>content_filter</c> wins. Stream and non-stream both use this.
    /// </summary>
    public static FinishReason Derive(FinishReason? upstream, bool emittedToolCalls, bool legacyFunctions)
    {
        if (upstream is { } u && (u == Length || u == ContentFilter))
        {
            return u;
        }

        if (emittedToolCalls)
        {
            return legacyFunctions ? FunctionCall : ToolCalls;
        }

        if (upstream is null || upstream == ToolCalls || upstream == FunctionCall)
        {
            return Stop;
        }

        return upstream.Value;
    }

    public override string ToString() => Value;
}
