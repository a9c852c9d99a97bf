namespace Gateway.Routing;

/// <summary>The end of a failover loop: the winning attempt's state, or the error for the client.</summary>
internal sealed record FailoverOutcome<TState>(TState? State, RouteTarget? Target, Chat.GatewayError? Error, int Attempts, UpstreamFailure? LastFailure)
    where TState : class;
