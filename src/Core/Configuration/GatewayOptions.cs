namespace Gateway.Configuration;

/// <summary>
/// The whole <c>Gateway</c> configuration section (SPEC §3). Bound once at start-up and validated by
/// <see cref="GatewayOptionsLoader"/>; nothing here changes while the process runs.
/// </summary>
public sealed record GatewayOptions
{
    /// <summary>Name of the configuration section that holds these options.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Client authentication. <c>Mode</c> must be set explicitly.</summary>
    public AuthOptions Auth { get; init; } = new();

    /// <summary>Upstream providers by id.</summary>
    public IReadOnlyDictionary<string, ProviderOptions> Providers { get; init; } = new Dictionary<string, ProviderOptions>();

    /// <summary>Public model ids and the targets they route to.</summary>
    public IReadOnlyList<ModelOptions> Models { get; init; } = [];

    /// <summary>Failover bounds.</summary>
    public RoutingOptions Routing { get; init; } = new();

    /// <summary>Request size and per-key rate limits.</summary>
    public LimitsOptions Limits { get; init; } = new();

    /// <summary>Stream keep-alive, commit and shutdown timings.</summary>
    public StreamingOptions Streaming { get; init; } = new();

    /// <summary>Shared state: sessions, model cache, overrides, tokens, affinity.</summary>
    public StateOptions State { get; init; } = new();

    /// <summary>Browser origins allowed to call the gateway.</summary>
    public CorsOptions Cors { get; init; } = new();

    /// <summary>Metrics and traces.</summary>
    public TelemetryOptions Telemetry { get; init; } = new();
}
