namespace Gateway.Routing;

/// <summary>Non-generic view of an attempt's failure, for the circuit breaker's predicate.</summary>
internal interface IAttemptFailure
{
    UpstreamFailure? Failure { get; }
}
