namespace Gateway.Configuration;

/// <summary>
/// The whole <c>Gateway</c> configuration section (SPEC §3). Bound once at start-up and validated by
/// <see cref="GatewayOptionsLoader"/>; nothing here changes while the process runs. The records have
/// setters (not <c>init</c>) only because the configuration binder's generated code assigns them after
/// construction; that generated binding is what lets the Server run as a Native AOT binary.
/// </summary>
public sealed record GatewayOptions
{
    /// <summary>Name of the configuration section that holds these options.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Client authentication. <c>Mode</c> must be set explicitly.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Upstream providers by id.</summary>
    public IReadOnlyDictionary<string, ProviderOptions> Providers { get; set; } = new Dictionary<string, ProviderOptions>();

    /// <summary>Public model ids and the targets they route to.</summary>
    public IReadOnlyList<ModelOptions> Models { get; set; } = [];

    /// <summary>Failover bounds.</summary>
    public RoutingOptions Routing { get; set; } = new();

    /// <summary>Request size and per-key rate limits.</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>Stream keep-alive, commit and shutdown timings.</summary>
    public StreamingOptions Streaming { get; set; } = new();

    /// <summary>Shared state: sessions, model cache, overrides, tokens, affinity.</summary>
    public StateOptions State { get; set; } = new();

    /// <summary>Browser origins allowed to call the gateway.</summary>
    public CorsOptions Cors { get; set; } = new();

    /// <summary>Metrics and traces.</summary>
    public TelemetryOptions Telemetry { get; set; } = new();
}
