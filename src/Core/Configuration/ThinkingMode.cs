namespace Gateway.Configuration;

/// <summary>How a provider handles a request's thinking (SPEC §3 and §5 Thinking).</summary>
public enum ThinkingMode
{
    /// <summary>Kind default: <see cref="Native"/> for Anthropic and Gemini, <see cref="PromptTags"/> for ChatSite, else <see cref="Passthrough"/>.</summary>
    Default = 0,

    /// <summary>
    /// Same-format requests go upstream as sent and the answer is not rewritten; a translated request
    /// carries <c>reasoning_effort</c> only when the client asked for reasoning explicitly (an effort or a budget).
    /// </summary>
    Passthrough,

    /// <summary>The budget is injected into the system prompt and <c>&lt;thinking&gt;</c> becomes <c>&lt;think&gt;</c>.</summary>
    PromptTags,

    /// <summary>Translated to the target's own form: Anthropic <c>thinking</c> (+ <c>output_config.effort</c>), OpenAI <c>reasoning_effort</c>.</summary>
    Native,

    /// <summary>Thinking fields are dropped.</summary>
    Off,
}
