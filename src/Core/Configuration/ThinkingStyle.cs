namespace Gateway.Configuration;

/// <summary>How thinking is asked of an Anthropic (or Gemini) target.</summary>
public enum ThinkingStyle
{
    /// <summary><see cref="Adaptive"/>.</summary>
    Default = 0,

    /// <summary><c>thinking: {type: adaptive}</c> with <c>output_config.effort</c> (newer models reject a budget).</summary>
    Adaptive,

    /// <summary><c>thinking: {type: enabled, budget_tokens}</c>.</summary>
    Budget,
}
