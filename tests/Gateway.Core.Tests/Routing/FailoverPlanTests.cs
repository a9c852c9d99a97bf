using Gateway.Configuration;
using Gateway.Providers;
using Gateway.Routing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Routing;

public sealed class FailoverPlanTests
{
    private static RouteTarget Target(string provider, double weight, int maxConcurrency = 10) =>
        new(new Provider(provider, new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://127.0.0.1:1/v1", MaxConcurrency = maxConcurrency }), "m", weight, null);

    [Fact]
    public void Order_FirstIsDrawnByWeightRestFollowConfigurationOrder()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        var plan = new FailoverPlan(health, new GatewayOptions(), time, new Random(42));
        RouteTarget[] targets = [Target("a", 1), Target("b", 2), Target("c", 1)];

        var firsts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        for (var i = 0; i < 4000; i++)
        {
            var order = plan.Order(targets);
            firsts[order[0].Provider.Id]++;
            var rest = order.Skip(1).Select(t => t.Provider.Id).ToList();
            Assert.Equal(targets.Select(t => t.Provider.Id).Where(id => id != order[0].Provider.Id), rest);
        }

        Assert.InRange(firsts["b"], 1800, 2200);
        Assert.InRange(firsts["a"], 850, 1150);
        Assert.InRange(firsts["c"], 850, 1150);
    }

    [Fact]
    public void Order_ZeroWeightIsOnlyAFallback()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        var plan = new FailoverPlan(health, new GatewayOptions(), time, new Random(1));
        RouteTarget[] targets = [Target("backup", 0), Target("main", 1)];

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(["main", "backup"], plan.Order(targets).Select(t => t.Provider.Id));
        }
    }

    [Fact]
    public void Order_SkipsCoolingAndSaturatedTargetsUntilTheyRecover()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        var plan = new FailoverPlan(health, new GatewayOptions(), time, new Random(1));
        var cooling = Target("cooling", 1);
        var saturated = Target("saturated", 1, maxConcurrency: 1);
        var fine = Target("fine", 1);
        health.CoolDown(cooling, TimeSpan.FromSeconds(30));
        Assert.True(saturated.Provider.Concurrency.TryEnter());

        Assert.Equal(["fine"], plan.Order([cooling, saturated, fine]).Select(t => t.Provider.Id));

        time.Advance(TimeSpan.FromSeconds(31));
        saturated.Provider.Concurrency.Exit();
        Assert.Equal(3, plan.Order([cooling, saturated, fine]).Count);
    }

    [Fact]
    public async Task RunAsync_CircuitOpensAfterRepeatedFailuresAndHalfOpensAfterBreak()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        var plan = new FailoverPlan(health, new GatewayOptions(), time);
        var target = Target("flaky", 1);
        var calls = 0;
        ValueTask<AttemptResult<string>> Failing(RouteTarget _, CancellationToken __)
        {
            calls++;
            return ValueTask.FromResult(AttemptResult<string>.Failed(new UpstreamFailure(FailureKind.RetryableStatus, 500, "HTTP 500")));
        }

        for (var i = 0; i < 6; i++)
        {
            await plan.RunAsync<string>([target], Failing, CancellationToken.None);
        }

        Assert.Equal(4, calls);
        Assert.False(health.IsUsable(target));
        var skipped = await plan.RunAsync<string>([target], Failing, CancellationToken.None);
        Assert.Equal(503, skipped.Error!.Status);

        time.Advance(TimeSpan.FromSeconds(16));
        var probe = await plan.RunAsync<string>([target], (_, _) => ValueTask.FromResult(AttemptResult<string>.Succeeded("ok")), CancellationToken.None);
        Assert.Equal("ok", probe.State);
        target.Provider.Concurrency.Exit();
        Assert.True(health.IsUsable(target));
    }

    [Fact]
    public async Task RunAsync_ClientErrorsDoNotOpenTheCircuit()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        var plan = new FailoverPlan(health, new GatewayOptions(), time);
        var target = Target("strict", 1);

        for (var i = 0; i < 10; i++)
        {
            var outcome = await plan.RunAsync<string>(
                [target],
                (_, _) => ValueTask.FromResult(AttemptResult<string>.Failed(new UpstreamFailure(FailureKind.ClientError, 400, "HTTP 400") { ClientMessage = "bad" })),
                CancellationToken.None);
            Assert.Equal(400, outcome.Error!.Status);
        }

        Assert.True(health.IsUsable(target));
    }

    [Fact]
    public async Task RunAsync_ReleasesConcurrencyOfFailedAttempts()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        var plan = new FailoverPlan(health, new GatewayOptions(), time);
        var target = Target("one", 1, maxConcurrency: 1);

        await plan.RunAsync<string>([target], (_, _) => ValueTask.FromResult(AttemptResult<string>.Failed(new UpstreamFailure(FailureKind.Transport, null, "x"))), CancellationToken.None);

        Assert.Equal(0, target.Provider.Concurrency.InFlight);
    }

    [Fact]
    public void Order_PreferredKeyGoesFirstWhileUsable()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        var plan = new FailoverPlan(health, new GatewayOptions(), time, new Random(3));
        RouteTarget[] targets = [Target("a", 1), Target("b", 0), Target("c", 1)];

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(["b", "a", "c"], plan.Order(targets, preferredKey: "b/m").Select(t => t.Provider.Id));
        }

        health.CoolDown(targets[1], TimeSpan.FromSeconds(5));
        Assert.Equal(["a", "c"], plan.Order(targets, preferredKey: "b/m").Select(t => t.Provider.Id).Order());
    }

    [Fact]
    public void Order_AllWeightsZero_KeepsConfigurationOrder()
    {
        var time = new FakeTimeProvider();
        var plan = new FailoverPlan(new TargetHealth(time), new GatewayOptions(), time, new Random(5));

        Assert.Equal(["x", "y", "z"], plan.Order([Target("x", 0), Target("y", 0), Target("z", 0)]).Select(t => t.Provider.Id));
    }

    // An upstream 401 on the first target and a timeout on the second is still the
    // gateway's credentials problem (502 upstream_auth_error), not a timeout the client should retry.
    [Fact]
    public async Task RunAsync_AuthFailureThenAnotherFailure_ReportsCredentials()
    {
        var (plan, _, _) = Plan();
        var script = new Script(("a", Fail(FailureKind.Auth, 401)), ("b", Fail(FailureKind.Timeout, null)));

        var outcome = await plan.RunAsync<string>([Target("a", 1), Target("b", 0)], script.Run, CancellationToken.None);

        Assert.Equal(["a", "b"], script.Calls);
        Assert.Equal(2, outcome.Attempts);
        Assert.Null(outcome.State);
        Assert.Null(outcome.Target);
        Assert.Equal(FailureKind.Timeout, outcome.LastFailure!.Kind);
        Assert.Equal((502, "upstream_auth_error"), (outcome.Error!.Status, outcome.Error.Code));
    }

    [Fact]
    public async Task RunAsync_AuthFailureThenClientError_ReturnsTheClientError()
    {
        var (plan, _, _) = Plan();
        var clientError = new UpstreamFailure(FailureKind.ClientError, 400, "HTTP 400") { ClientMessage = "context length exceeded" };
        var script = new Script(("a", Fail(FailureKind.Auth, 403)), ("b", AttemptResult<string>.Failed(clientError)));

        var outcome = await plan.RunAsync<string>([Target("a", 1), Target("b", 0)], script.Run, CancellationToken.None);

        Assert.Equal((400, "invalid_request", "context length exceeded"), (outcome.Error!.Status, outcome.Error.Code, outcome.Error.Message));
    }

    [Fact]
    public async Task RunAsync_OnlyTimeouts_Is504()
    {
        var (plan, _, _) = Plan();
        var script = new Script(("a", Fail(FailureKind.Timeout, null)), ("b", Fail(FailureKind.Timeout, null)));

        var outcome = await plan.RunAsync<string>([Target("a", 1), Target("b", 0)], script.Run, CancellationToken.None);

        Assert.Equal((504, "upstream_timeout", 2), (outcome.Error!.Status, outcome.Error.Code, outcome.Attempts));
    }

    [Fact]
    public async Task RunAsync_SuccessAfterFailure_CountsBothAttemptsAndKeepsTheSlot()
    {
        var (plan, _, _) = Plan();
        var b = Target("b", 0);
        var script = new Script(("a", Fail(FailureKind.Transport, null)), ("b", AttemptResult<string>.Succeeded("answer")));

        var outcome = await plan.RunAsync<string>([Target("a", 1), b], script.Run, CancellationToken.None);

        Assert.Equal("answer", outcome.State);
        Assert.Same(b, outcome.Target);
        Assert.Null(outcome.Error);
        Assert.Equal(2, outcome.Attempts);
        Assert.Equal(FailureKind.Transport, outcome.LastFailure!.Kind);
        Assert.Equal(1, b.Provider.Concurrency.InFlight);
    }

    [Fact]
    public async Task RunAsync_FailureWithoutFailover_StopsAtOnce()
    {
        var (plan, _, _) = Plan();
        var script = new Script(("a", Fail(FailureKind.Status, 409)), ("b", AttemptResult<string>.Succeeded("unused")));

        var outcome = await plan.RunAsync<string>([Target("a", 1), Target("b", 0)], script.Run, CancellationToken.None);

        Assert.Equal(["a"], script.Calls);
        Assert.Equal((502, "upstream_http_error", 1), (outcome.Error!.Status, outcome.Error.Code, outcome.Attempts));
    }

    [Fact]
    public async Task RunAsync_MaxAttempts_BoundsTheLoop()
    {
        var (plan, _, _) = Plan(new RoutingOptions { MaxAttempts = 2 });
        var script = new Script(("a", Fail(FailureKind.Transport, null)), ("b", Fail(FailureKind.Transport, null)), ("c", AttemptResult<string>.Succeeded("unused")));

        var outcome = await plan.RunAsync<string>([Target("a", 1), Target("b", 0), Target("c", 0)], script.Run, CancellationToken.None);

        Assert.Equal(["a", "b"], script.Calls);
        Assert.Equal((2, 502, "upstream_unavailable"), (outcome.Attempts, outcome.Error!.Status, outcome.Error.Code));
    }

    [Fact]
    public async Task RunAsync_NoAttemptStartsAfterMaxFailoverSeconds()
    {
        var (plan, _, time) = Plan(new RoutingOptions { MaxFailoverSeconds = 10 });
        var calls = new List<string>();
        ValueTask<AttemptResult<string>> Slow(RouteTarget target, CancellationToken _)
        {
            calls.Add(target.Provider.Id);
            time.Advance(TimeSpan.FromSeconds(target.Provider.Id == "a" ? 4 : 6));
            return ValueTask.FromResult(Fail(FailureKind.Timeout, null));
        }

        var outcome = await plan.RunAsync<string>([Target("a", 1), Target("b", 0), Target("c", 0)], Slow, CancellationToken.None);

        // a took 4 s, b started at 4 s and took 6 s: c would start at exactly the limit.
        Assert.Equal(["a", "b"], calls);
        Assert.Equal(2, outcome.Attempts);
    }

    [Fact]
    public async Task RunAsync_TargetSaturatedSinceOrdering_IsSkippedWithoutCountingAnAttempt()
    {
        var (plan, _, _) = Plan();
        var busy = Target("busy", 0, maxConcurrency: 1);
        var calls = new List<string>();
        ValueTask<AttemptResult<string>> Attempt(RouteTarget target, CancellationToken _)
        {
            calls.Add(target.Provider.Id);
            if (target.Provider.Id == "a")
            {
                // Another request takes busy's only slot while this attempt runs.
                Assert.True(busy.Provider.Concurrency.TryEnter());
                return ValueTask.FromResult(Fail(FailureKind.Transport, null));
            }

            return ValueTask.FromResult(AttemptResult<string>.Succeeded("ok"));
        }

        var outcome = await plan.RunAsync<string>([Target("a", 1), busy, Target("c", 0)], Attempt, CancellationToken.None);

        Assert.Equal(["a", "c"], calls);
        Assert.Equal(("ok", 2), (outcome.State, outcome.Attempts));
        Assert.Equal(1, busy.Provider.Concurrency.InFlight);
    }

    [Fact]
    public async Task RunAsync_RetryAfterOnAFailure_CoolsThatTargetOnly()
    {
        var (plan, health, _) = Plan();
        var a = Target("a", 1);
        var b = Target("b", 0);
        var cooled = new UpstreamFailure(FailureKind.RetryableStatus, 429, "HTTP 429") { RetryAfter = TimeSpan.FromSeconds(20) };
        var script = new Script(("a", AttemptResult<string>.Failed(cooled)), ("b", Fail(FailureKind.RetryableStatus, 500)));

        await plan.RunAsync<string>([a, b], script.Run, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(20), health.CooldownLeft(a));
        Assert.Equal(TimeSpan.Zero, health.CooldownLeft(b));
        Assert.Equal(["b"], plan.Order([a, b]).Select(t => t.Provider.Id));
    }

    [Fact]
    public async Task RunAsync_EveryTargetCooling_Is503WithTheSoonestCooldown()
    {
        var (plan, health, time) = Plan();
        var a = Target("a", 1);
        var b = Target("b", 1);
        var expired = Target("expired", 1, maxConcurrency: 1);
        health.CoolDown(a, TimeSpan.FromSeconds(30));
        health.CoolDown(b, TimeSpan.FromSeconds(10.2));
        health.CoolDown(expired, TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(expired.Provider.Concurrency.TryEnter()); // usable again but saturated: no Retry-After of its own
        var script = new Script();

        var outcome = await plan.RunAsync<string>([a, expired, b], script.Run, CancellationToken.None);

        Assert.Empty(script.Calls);
        Assert.Equal(0, outcome.Attempts);
        Assert.Null(outcome.LastFailure);
        Assert.Equal((503, "server_error", "no_provider_available", "overloaded"), (outcome.Error!.Status, outcome.Error.Type, outcome.Error.Code, outcome.Error.EndReason));
        Assert.Equal(9, outcome.Error.RetryAfterSeconds);
    }

    [Fact]
    public async Task RunAsync_EveryTargetSaturatedNoneCooling_Is503WithoutRetryAfter()
    {
        var (plan, _, _) = Plan();
        var a = Target("a", 1, maxConcurrency: 1);
        Assert.True(a.Provider.Concurrency.TryEnter());

        var outcome = await plan.RunAsync<string>([a], new Script().Run, CancellationToken.None);

        Assert.Equal(503, outcome.Error!.Status);
        Assert.Null(outcome.Error.RetryAfterSeconds);
    }

    // Regression: concurrent first attempts on a new target built its circuit twice, and the second
    // build threw (a circuit's state provider cannot belong to two pipelines), failing requests with 500.
    [Fact]
    public async Task RunAsync_ConcurrentFirstAttemptsOnANewTarget_ShareOneCircuit()
    {
        var health = new TargetHealth(TimeProvider.System);
        var plan = new FailoverPlan(health, new GatewayOptions(), TimeProvider.System);
        var target = Target("fresh", 1, maxConcurrency: 1000);

        var runs = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            var outcome = await plan.RunAsync<string>([target], async (_, _) =>
            {
                await Task.Yield();
                return AttemptResult<string>.Succeeded("ok");
            }, CancellationToken.None);
            target.Provider.Concurrency.Exit();
            return outcome.State;
        }));

        Assert.All(await Task.WhenAll(runs), state => Assert.Equal("ok", state));
    }

    private static (FailoverPlan Plan, TargetHealth Health, FakeTimeProvider Time) Plan(RoutingOptions? routing = null)
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        return (new FailoverPlan(health, new GatewayOptions { Routing = routing ?? new RoutingOptions() }, time, new Random(7)), health, time);
    }

    private static AttemptResult<string> Fail(FailureKind kind, int? status) =>
        AttemptResult<string>.Failed(new UpstreamFailure(kind, status, $"{kind} {status}"));

    /// <summary>Each provider's scripted result, and the providers tried in order.</summary>
    private sealed class Script(params (string Provider, AttemptResult<string> Result)[] results)
    {
        public List<string> Calls { get; } = [];

        public ValueTask<AttemptResult<string>> Run(RouteTarget target, CancellationToken cancellationToken)
        {
            Calls.Add(target.Provider.Id);
            return ValueTask.FromResult(results.Single(r => r.Provider == target.Provider.Id).Result);
        }
    }
}
