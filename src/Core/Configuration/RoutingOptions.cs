namespace Gateway.Configuration;

/// <summary>Failover bounds (SPEC §3 <c>Routing</c>).</summary>
public sealed record RoutingOptions
{
    /// <summary>Upstream attempts per request at most. Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>No new attempt starts after this many seconds. Default 60.</summary>
    public double MaxFailoverSeconds { get; set; } = 60;
}
