namespace Gateway.Chat;

/// <summary>The result of a tool call, sent by the client.</summary>
/// <param name="CallId">The id of the call it answers.</param>
/// <param name="Parts">Its content: text and media parts.</param>
/// <param name="IsError">The tool failed.</param>
internal sealed record ToolResultPart(string CallId, IReadOnlyList<ContentPart> Parts, bool IsError) : ContentPart
{
    /// <summary>The tool's name, when the client's format carries it (legacy functions, Gemini).</summary>
    public string? Name { get; init; }
}
