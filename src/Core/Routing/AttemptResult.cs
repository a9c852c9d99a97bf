namespace Gateway.Routing;

/// <summary>
/// The outcome of one upstream attempt up to the point where failover is no longer possible:
/// success carries the attempt's state on to the caller; a failure says why.
/// </summary>
internal sealed record AttemptResult<TState>(TState? State, UpstreamFailure? Failure) : IAttemptFailure
    where TState : class
{
    public static AttemptResult<TState> Succeeded(TState state) => new(state, null);

    public static AttemptResult<TState> Failed(UpstreamFailure failure) => new(null, failure);
}
