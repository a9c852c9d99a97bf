namespace Gateway.Chat;

/// <summary>The wire format a client speaks (decided by the route it called).</summary>
internal enum WireFormat
{
    /// <summary>OpenAI Chat Completions.</summary>
    OpenAIChat,

    /// <summary>Anthropic Messages.</summary>
    AnthropicMessages,

    /// <summary>OpenAI Responses (Codex).</summary>
    OpenAIResponses,
}
