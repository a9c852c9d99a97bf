namespace Gateway.Chat;

/// <summary>One piece of a message: text, reasoning, a tool call or result, media.</summary>
internal abstract record ContentPart
{
    /// <summary>The client's prompt-cache marker on this part (raw JSON, Anthropic's <c>cache_control</c>), if any.</summary>
    public string? CacheControl { get; init; }
}
