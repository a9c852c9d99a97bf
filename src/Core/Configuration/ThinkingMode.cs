namespace Gateway.Configuration;

/// <summary>How a provider handles a request's thinking budget (SPEC §5 Thinking).</summary>
public enum ThinkingMode
{
    /// <summary>Kind default: <see cref="PromptTags"/> for ChatSite, else <see cref="Passthrough"/>.</summary>
    Default = 0,

    /// <summary>The request's thinking fields go upstream as sent; the answer is not rewritten.</summary>
    Passthrough,

    /// <summary>The budget is injected into the system prompt and <c>&lt;thinking&gt;</c> becomes <c>&lt;think&gt;</c>.</summary>
    PromptTags,
}
