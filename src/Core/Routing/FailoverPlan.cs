using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Metrics;

namespace Gateway.Routing;

/// <summary>
/// Tries a model's targets in order (SPEC §5 Failover): the first drawn by weight among usable targets,
/// the rest in configuration order; cooling, broken or saturated targets are skipped; at most
/// <c>MaxAttempts</c> attempts, none started after <c>MaxFailoverSeconds</c>. No delay between attempts
/// (the next candidate is another upstream) and no hedging.
/// </summary>
internal sealed class FailoverPlan
{
    private readonly TargetHealth _health;
    private readonly RoutingOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly GatewayMetrics? _metrics;

    public FailoverPlan(TargetHealth health, GatewayOptions options, TimeProvider time, Random? random = null, GatewayMetrics? metrics = null)
    {
        _health = health;
        _options = options.Routing;
        _time = time;
        _random = random ?? Random.Shared;
        _metrics = metrics;
    }

    /// <summary>
    /// Candidate order for one request. A session's <paramref name="preferredKey"/> goes first when that
    /// target is usable; otherwise the first is drawn by weight.
    /// </summary>
    public List<RouteTarget> Order(IReadOnlyList<RouteTarget> targets, string? preferredKey = null)
    {
        var usable = new List<RouteTarget>(targets.Count);
        var total = 0.0;
        foreach (var target in targets)
        {
            if (_health.IsUsable(target) && !target.Provider.Concurrency.IsSaturated)
            {
                usable.Add(target);
                total += target.Weight;
            }
        }

        if (usable.Count <= 1)
        {
            return usable;
        }

        var first = preferredKey is null ? -1 : usable.FindIndex(t => t.Key == preferredKey);
        if (first < 0 && total > 0)
        {
            var pick = _random.NextDouble() * total;
            for (var i = 0; i < usable.Count; i++)
            {
                pick -= usable[i].Weight;
                if (pick < 0)
                {
                    first = i;
                    break;
                }
            }
        }

        if (first < 0)
        {
            first = 0;
        }

        if (first > 0)
        {
            var chosen = usable[first];
            usable.RemoveAt(first);
            usable.Insert(0, chosen);
        }

        return usable;
    }

    /// <summary>Runs attempts until one succeeds, one fails without failover, or the bounds are reached.</summary>
    public async Task<FailoverOutcome<TState>> RunAsync<TState>(
        IReadOnlyList<RouteTarget> targets,
        Func<RouteTarget, CancellationToken, ValueTask<AttemptResult<TState>>> attempt,
        CancellationToken cancellationToken,
        string? preferredKey = null)
        where TState : class
    {
        var started = _time.GetTimestamp();
        var attempts = 0;
        var anyAuth = false;
        UpstreamFailure? last = null;
        RouteTarget? failedTarget = null;
        foreach (var target in Order(targets, preferredKey))
        {
            if (attempts >= _options.MaxAttempts
                || (attempts > 0 && _time.GetElapsedTime(started).TotalSeconds >= _options.MaxFailoverSeconds))
            {
                break;
            }

            if (!target.Provider.Concurrency.TryEnter())
            {
                continue;
            }

            AttemptResult<TState>? result = null;
            var handedOver = false;

            // The span ends when the attempt is decided (for a stream: at its first content); the request's span covers the rest.
            var span = GatewayTracing.StartAttempt(target, attempts + 1);
            try
            {
                result = await _health.ExecuteAsync(target, attempt, cancellationToken);
                if (result is not null && failedTarget is not null)
                {
                    _metrics?.FailedOver(failedTarget.Provider, last!.Kind);
                    failedTarget = null;
                }

                if (result?.State is not null)
                {
                    // The caller now owns the concurrency slot (released when its stream ends).
                    handedOver = true;
                    _metrics?.AttemptFinished(target.Provider, null);
                    return new FailoverOutcome<TState>(result.State, target, null, attempts + 1, last);
                }
            }
            finally
            {
                if (!handedOver)
                {
                    target.Provider.Concurrency.Exit();
                }

                GatewayTracing.EndAttempt(span, handedOver ? null : result?.Failure, circuitOpen: !handedOver && result is null);
            }

            if (result is null)
            {
                continue;
            }

            _metrics?.AttemptFinished(target.Provider, result.Failure!.Kind);
            failedTarget = target;

            attempts++;
            last = result.Failure!;
            anyAuth |= last.Kind == FailureKind.Auth;
            if (last.RetryAfter is { } retryAfter)
            {
                _health.CoolDown(target, retryAfter);
            }

            if (!last.AllowsFailover)
            {
                break;
            }
        }

        if (last is null)
        {
            return new FailoverOutcome<TState>(null, null, GatewayError.NoProviderAvailable(RetryAfterSeconds(targets)), attempts, null);
        }

        return new FailoverOutcome<TState>(null, null, last.ToClientError(anyAuth && last.Kind != FailureKind.ClientError), attempts, last);
    }

    private int? RetryAfterSeconds(IReadOnlyList<RouteTarget> targets)
    {
        TimeSpan? soonest = null;
        foreach (var target in targets)
        {
            var left = _health.CooldownLeft(target);
            if (left > TimeSpan.Zero && (soonest is null || left < soonest))
            {
                soonest = left;
            }
        }

        return soonest is { } s ? (int)Math.Ceiling(s.TotalSeconds) : null;
    }
}
