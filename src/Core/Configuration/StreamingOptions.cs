namespace Gateway.Configuration;

/// <summary>Stream timings (SPEC §3 <c>Streaming</c>).</summary>
public sealed record StreamingOptions
{
    /// <summary>A <c>: keep-alive</c> comment is sent after this much silence. Default 15.</summary>
    public double KeepAliveSeconds { get; set; } = 15;

    /// <summary>Held-back preamble commits the 200 and SSE headers after this long. Default 20.</summary>
    public double CommitAfterSeconds { get; set; } = 20;

    /// <summary>Open streams may run this long after shutdown starts. Default 10.</summary>
    public double ShutdownGraceSeconds { get; set; } = 10;
}
