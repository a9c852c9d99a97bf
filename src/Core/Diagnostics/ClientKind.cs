namespace Gateway.Diagnostics;

/// <summary>The calling product, from its <c>User-Agent</c>, for logs and metrics.</summary>
internal static class ClientKind
{
    public static string FromUserAgent(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return "unknown";
        }

        if (userAgent.StartsWith("claude-cli/", StringComparison.OrdinalIgnoreCase) || userAgent.Contains("claude-code", StringComparison.OrdinalIgnoreCase))
        {
            return "claude-code";
        }

        if (userAgent.Contains("opencode", StringComparison.OrdinalIgnoreCase))
        {
            return "opencode";
        }

        if (userAgent.Contains("codex", StringComparison.OrdinalIgnoreCase))
        {
            return "codex";
        }

        if (userAgent.Contains("new-api", StringComparison.OrdinalIgnoreCase) || userAgent.Contains("one-api", StringComparison.OrdinalIgnoreCase))
        {
            return "new-api";
        }

        // The OpenAI SDKs identify as "OpenAI/Python …", "OpenAI/JS …", "OpenAI/.NET …" and similar.
        if (userAgent.StartsWith("OpenAI/", StringComparison.OrdinalIgnoreCase) || userAgent.Contains("openai-", StringComparison.OrdinalIgnoreCase))
        {
            return "openai-sdk";
        }

        if (userAgent.StartsWith("Anthropic/", StringComparison.OrdinalIgnoreCase))
        {
            return "anthropic-sdk";
        }

        if (userAgent.StartsWith("curl/", StringComparison.OrdinalIgnoreCase))
        {
            return "curl";
        }

        return "other";
    }
}
