using Microsoft.AspNetCore.Http;

namespace Gateway.Metrics;

/// <summary>
/// What answers <c>GET /metrics</c> once the admin key has been checked: the Server sets the Prometheus
/// exporter's handler here; Functions sets nothing (it exports OpenTelemetry instead and does not map the route).
/// </summary>
public sealed class MetricsExposition
{
    /// <summary>Writes the Prometheus text exposition; null when no exporter is configured (telemetry off).</summary>
    public RequestDelegate? Scrape { get; set; }
}
