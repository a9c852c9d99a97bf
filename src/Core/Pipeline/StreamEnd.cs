namespace Gateway.Pipeline;

/// <summary>How an upstream stream ended.</summary>
internal enum StreamEnd
{
    /// <summary>The answer is complete (every choice finished).</summary>
    Completed,

    /// <summary>The upstream stopped, failed or went silent before the answer was complete.</summary>
    Interrupted,
}
