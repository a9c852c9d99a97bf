namespace Gateway.Admin;

/// <summary>The admin routes' handlers (the admin key is checked before any of them runs), in one place for <see cref="Endpoints.GatewayHandlers"/>.</summary>
internal sealed record AdminEndpoints(
    MetricsEndpoint Metrics,
    StatsEndpoint Stats,
    ProvidersEndpoint Providers,
    OverridesEndpoint Overrides,
    RoutingDecisionEndpoint RoutingDecision,
    SessionsEndpoint Sessions,
    AdminPageEndpoint Page);
