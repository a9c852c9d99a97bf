namespace Gateway.Chat;

/// <summary>
/// What the client asked of the model's thinking, in whichever form its format has: an effort level
/// (OpenAI <c>reasoning_effort</c>, Anthropic <c>output_config.effort</c>), a token budget (Anthropic
/// <c>thinking.budget_tokens</c>), or adaptive thinking with neither.
/// </summary>
internal sealed record ReasoningRequest
{
    /// <summary>Thinking is off (Anthropic <c>thinking.type: disabled</c>, OpenAI <c>reasoning_effort: none</c>).</summary>
    public bool Disabled { get; init; }

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c>, … as the client wrote it; null when not given.</summary>
    public string? Effort { get; init; }

    /// <summary>A token budget, when the client gave one.</summary>
    public int? BudgetTokens { get; init; }

    /// <summary>The model chooses how much to think (Anthropic <c>thinking.type: adaptive</c>).</summary>
    public bool Adaptive { get; init; }

    /// <summary>Anthropic's <c>thinking.display</c> (<c>summarized</c>, <c>omitted</c>), if given.</summary>
    public string? Display { get; init; }

    /// <summary>
    /// The client asked for reasoning explicitly: an effort or a budget. Adaptive thinking alone is not
    /// an explicit ask (Claude Code turns it on for every model).
    /// </summary>
    public bool Explicit => !Disabled && (Effort is not null || BudgetTokens is not null);

    /// <summary>The effort level: the client's, or one derived from its budget; null when neither was given.</summary>
    public string? EffortOrFromBudget => Effort ?? BudgetTokens switch
    {
        null => null,
        <= 4096 => "low",
        <= 16384 => "medium",
        _ => "high",
    };

    /// <summary>The budget: the client's, or one derived from its effort level; null when neither was given.</summary>
    public int? BudgetOrFromEffort => BudgetTokens ?? Effort switch
    {
        null => null,
        "minimal" or "low" => 2048,
        "medium" => 8192,
        _ => 24576,
    };
}
