namespace Gateway.Chat;

/// <summary>How the model may use tools.</summary>
internal enum ToolChoiceMode
{
    /// <summary>The model decides (OpenAI <c>auto</c>, Anthropic <c>auto</c>).</summary>
    Auto,

    /// <summary>Some tool must be called (OpenAI <c>required</c>, Anthropic <c>any</c>).</summary>
    Required,

    /// <summary>No tool may be called.</summary>
    None,

    /// <summary>The named tool must be called.</summary>
    Tool,
}
