namespace Gateway.Protocols.OpenAIChat;

/// <summary>How an upstream stream ended.</summary>
internal enum StreamEnd
{
    /// <summary>Every choice has a finish_reason.</summary>
    Completed,

    /// <summary>The upstream stopped before every choice finished.</summary>
    Interrupted,
}
