namespace Gateway.Configuration;

/// <summary>Request limits (SPEC §3 <c>Limits</c>).</summary>
public sealed record LimitsOptions
{
    /// <summary>Largest accepted request body. Default 32 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Token-bucket refill per client key; 0 turns the limit off. Default 20.</summary>
    public double RequestsPerSecond { get; set; } = 20;

    /// <summary>Token-bucket size per client key. Default 40.</summary>
    public int Burst { get; set; } = 40;
}
