namespace Gateway.Chat;

/// <summary>A tool the client declares.</summary>
/// <param name="Name">The tool's name.</param>
/// <param name="Description">What it does, or null.</param>
/// <param name="ParametersJson">Its input JSON Schema (raw JSON), or null for none.</param>
internal sealed record ToolDefinition(string Name, string? Description, string? ParametersJson)
{
    /// <summary>An OpenAI custom (free-form text input) tool.</summary>
    public bool Custom { get; init; }

    /// <summary>OpenAI's <c>strict</c> flag, if given.</summary>
    public bool? Strict { get; init; }

    /// <summary>The client's prompt-cache marker (raw JSON), if any.</summary>
    public string? CacheControl { get; init; }

    /// <summary>
    /// A provider's own tool (Anthropic <c>web_search_20250305</c>, say) as the client wrote it (raw JSON),
    /// with <see cref="NativeKind"/> its origin: sent only to targets of that kind, dropped for others.
    /// </summary>
    public string? NativeJson { get; init; }

    /// <summary>The kind of upstream a <see cref="NativeJson"/> tool belongs to.</summary>
    public Configuration.ProviderKind NativeKind { get; init; }
}
