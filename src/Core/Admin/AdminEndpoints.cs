namespace Gateway.Admin;

/// <summary>The admin routes' handlers (admin key checked before any of them runs), in one place for <see cref="Endpoints.GatewayHandlers"/>.</summary>
internal sealed record AdminEndpoints(MetricsEndpoint Metrics, StatsEndpoint Stats);
