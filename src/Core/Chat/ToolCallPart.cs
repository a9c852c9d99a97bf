namespace Gateway.Chat;

/// <summary>A tool call the assistant made.</summary>
/// <param name="Id">The call id the result refers to.</param>
/// <param name="Name">The tool's name.</param>
/// <param name="Arguments">The arguments as JSON text (an object for function tools; free text for custom tools).</param>
/// <param name="Custom">An OpenAI custom (free-form) tool call rather than a function call.</param>
internal sealed record ToolCallPart(string Id, string Name, string Arguments, bool Custom = false) : ContentPart
{
    /// <summary>Provider state attached to the call (Gemini's <c>thoughtSignature</c>).</summary>
    public Opaque? Signature { get; init; }
}
