using Gateway.Chat;
using Gateway.Endpoints;
using Gateway.Metrics;

namespace Gateway.Admin;

/// <summary><c>GET /metrics</c> (Server only): the exporter's Prometheus text exposition once the admin key was accepted.</summary>
internal sealed class MetricsEndpoint
{
    private readonly MetricsExposition _exposition;

    public MetricsEndpoint(MetricsExposition exposition)
    {
        _exposition = exposition;
    }

    public Task HandleAsync(RequestExchange exchange) => _exposition.Scrape is { } scrape
        ? scrape(exchange.Http)
        : exchange.WriteErrorAsync(new GatewayError(503, "server_error", "metrics_disabled", "Metrics are off on this gateway (Gateway:Telemetry:Enabled is false).") { EndReason = "overloaded" });
}
