namespace Gateway.Configuration;

/// <summary>Metrics and traces (SPEC §5 Observability). Exporters are chosen by the host and the standard environment variables.</summary>
public sealed record TelemetryOptions
{
    /// <summary>
    /// Record metrics and traces. Default true. Off: no meter or activity listener at all (nothing is
    /// recorded, <c>/metrics</c> and <c>/manage/stats</c> stay empty) — for measuring what telemetry costs.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
