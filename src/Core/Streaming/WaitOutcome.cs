namespace Gateway.Streaming;

/// <summary>How a wait on the upstream ended.</summary>
internal enum WaitOutcome
{
    /// <summary>The awaited operation completed (successfully or not; await it to see).</summary>
    Completed,

    /// <summary>No content before <c>FirstByteTimeoutSeconds</c>.</summary>
    FirstByteTimeout,

    /// <summary>No upstream read for <c>IdleTimeoutSeconds</c>.</summary>
    IdleTimeout,

    /// <summary>The shutdown grace ran out.</summary>
    Shutdown,
}
