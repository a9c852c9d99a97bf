namespace Gateway.Configuration;

/// <summary>The wire format an upstream speaks.</summary>
public enum ProviderKind
{
    /// <summary>Not configured; start-up fails.</summary>
    Unset = 0,

    /// <summary>OpenAI Chat Completions compatible.</summary>
    OpenAI,

    /// <summary>Anthropic Messages.</summary>
    Anthropic,

    /// <summary>Google Gemini generateContent.</summary>
    Gemini,

    /// <summary>A chat site without native tools.</summary>
    ChatSite,
}
