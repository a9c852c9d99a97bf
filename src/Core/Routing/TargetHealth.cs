using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;

namespace Gateway.Routing;

/// <summary>
/// Per-target health: a Polly circuit breaker over attempt outcomes (a target that keeps failing is
/// skipped for a while, then probed), and the cooldown an upstream asks for with <c>Retry-After</c>.
/// Keyed by provider and model.
/// </summary>
internal sealed class TargetHealth
{
    // Half of at least four attempts failing within 30 s opens the circuit for 15 s.
    private const double FailureRatio = 0.5;
    private const int MinimumThroughput = 4;
    private static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxCooldown = TimeSpan.FromHours(1);

    private readonly TimeProvider _time;

    // One pipeline per target, built exactly once: concurrent first attempts on a new target must share
    // one circuit (a pipeline registry may run its factory twice, and a circuit's state provider cannot
    // be attached to two pipelines).
    private readonly ConcurrentDictionary<string, Lazy<Circuit>> _circuits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _coolUntil = new(StringComparer.Ordinal);

    // Polly moves an open circuit to half-open only when an execution is attempted, so the time the
    // break ends is kept here: after it, the target is offered again and that attempt is the probe.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _openUntil = new(StringComparer.Ordinal);

    public TargetHealth(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>The target can be tried now: not cooling down and its circuit not open.</summary>
    public bool IsUsable(RouteTarget target) => CooldownLeft(target) <= TimeSpan.Zero && !IsBroken(target);

    /// <summary>Time left of a <c>Retry-After</c> cooldown (zero or negative when none).</summary>
    public TimeSpan CooldownLeft(RouteTarget target) =>
        _coolUntil.TryGetValue(target.Key, out var until) ? until - _time.GetUtcNow() : TimeSpan.Zero;

    /// <summary>Skips the target until <paramref name="retryAfter"/> has passed (capped at an hour).</summary>
    public void CoolDown(RouteTarget target, TimeSpan retryAfter)
    {
        var until = _time.GetUtcNow() + (retryAfter > MaxCooldown ? MaxCooldown : retryAfter);
        _coolUntil.AddOrUpdate(target.Key, until, (_, existing) => existing > until ? existing : until);
    }

    /// <summary>Runs one attempt through the target's circuit breaker. Null when the circuit is open.</summary>
    public async ValueTask<AttemptResult<TState>?> ExecuteAsync<TState>(
        RouteTarget target,
        Func<RouteTarget, CancellationToken, ValueTask<AttemptResult<TState>>> attempt,
        CancellationToken cancellationToken)
        where TState : class
    {
        // A static factory with the health as its argument: a lambda capturing this was a delegate allocated per attempt.
        var pipeline = _circuits.GetOrAdd(
            target.Key,
            static (key, health) => new Lazy<Circuit>(() => health.Build(key), LazyThreadSafetyMode.ExecutionAndPublication),
            this).Value.Pipeline;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            // The attempt and its target go to Polly as its state: a lambda capturing them was a closure and a delegate per attempt.
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, run) => Outcome.FromResult<object>(await run.Attempt(run.Target, ctx.CancellationToken)),
                context,
                (Attempt: attempt, Target: target));
            if (outcome.Exception is BrokenCircuitException)
            {
                return null;
            }

            outcome.ThrowIfException();
            return (AttemptResult<TState>)outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Circuit Build(string key)
    {
        var state = new CircuitBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = FailureRatio,
                MinimumThroughput = MinimumThroughput,
                SamplingDuration = SamplingDuration,
                BreakDuration = BreakDuration,
                StateProvider = state,
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Result is IAttemptFailure { Failure.CountsAgainstTarget: true }),
                OnOpened = args =>
                {
                    _openUntil[key] = _time.GetUtcNow() + args.BreakDuration;
                    return ValueTask.CompletedTask;
                },
                OnClosed = args =>
                {
                    _openUntil.TryRemove(key, out _);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        return new Circuit(pipeline, state);
    }

    /// <summary>The circuit of <paramref name="target"/> is open (and its break not yet over).</summary>
    public bool IsBroken(RouteTarget target) => IsBroken(target.Key);

    /// <summary>
    /// Every target this instance has tried or cooled down, keyed <c>provider/model</c>: its circuit state
    /// (<c>closed</c>, <c>open</c>, <c>half_open</c>) and the seconds of cooldown left. For <c>/manage/providers</c>.
    /// </summary>
    public IReadOnlyList<(string Key, string Circuit, double CooldownSeconds)> Snapshot()
    {
        var now = _time.GetUtcNow();
        var keys = new SortedSet<string>(_circuits.Keys, StringComparer.Ordinal);
        keys.UnionWith(_coolUntil.Keys);
        var result = new List<(string, string, double)>(keys.Count);
        foreach (var key in keys)
        {
            var circuit = !_circuits.TryGetValue(key, out var lazy) || !lazy.IsValueCreated ? "closed" : lazy.Value.State.CircuitState switch
            {
                CircuitState.Closed => "closed",
                CircuitState.HalfOpen => "half_open",
                _ => IsBroken(key) ? "open" : "half_open",
            };
            var cooldown = _coolUntil.TryGetValue(key, out var until) && until > now ? Math.Ceiling((until - now).TotalSeconds) : 0;
            result.Add((key, circuit, cooldown));
        }

        return result;
    }

    private bool IsBroken(string key)
    {
        if (!_circuits.TryGetValue(key, out var circuit) || !circuit.IsValueCreated)
        {
            return false;
        }

        return circuit.Value.State.CircuitState switch
        {
            CircuitState.Isolated => true,
            CircuitState.Open => !_openUntil.TryGetValue(key, out var until) || _time.GetUtcNow() < until,
            _ => false,
        };
    }

    private sealed record Circuit(ResiliencePipeline Pipeline, CircuitBreakerStateProvider State);
}
