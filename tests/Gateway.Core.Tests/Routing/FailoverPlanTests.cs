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
}
