using Gateway.Configuration;
using Gateway.Providers;
using Gateway.Routing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Routing;

public sealed class TargetHealthTests
{
    private static readonly AttemptResult<string> Failure = AttemptResult<string>.Failed(new UpstreamFailure(FailureKind.Timeout, null, "slow"));
    private static readonly AttemptResult<string> Success = AttemptResult<string>.Succeeded("ok");
    private static readonly RouteTarget Target = new(new Provider("p", new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://127.0.0.1:1/v1" }), "m", 1, null);

    [Fact]
    public void CoolDown_KeepsTheLaterOfTwoCooldowns()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);

        health.CoolDown(Target, TimeSpan.FromSeconds(30));
        health.CoolDown(Target, TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(30), health.CooldownLeft(Target));

        health.CoolDown(Target, TimeSpan.FromSeconds(45));
        Assert.Equal(TimeSpan.FromSeconds(45), health.CooldownLeft(Target));
    }

    [Fact]
    public void CoolDown_IsCappedAtAnHour()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);

        health.CoolDown(Target, TimeSpan.FromDays(2));

        Assert.Equal(TimeSpan.FromHours(1), health.CooldownLeft(Target));
    }

    [Fact]
    public void IsUsable_UntilTheCooldownHasPassedExactly()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        Assert.Equal(TimeSpan.Zero, health.CooldownLeft(Target));
        Assert.True(health.IsUsable(Target));

        health.CoolDown(Target, TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(1.999));
        Assert.False(health.IsUsable(Target));

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(health.IsUsable(Target));
    }

    [Fact]
    public async Task ExecuteAsync_OpenCircuit_IsNullWithoutCallingTheAttempt()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        await RecordAsync(health, Failure, Failure, Failure, Failure);

        var called = false;
        var result = await health.ExecuteAsync(Target, (_, _) =>
        {
            called = true;
            return ValueTask.FromResult(Failure);
        }, CancellationToken.None);

        Assert.Null(result);
        Assert.False(called);
        Assert.False(health.IsUsable(Target));
        time.Advance(TimeSpan.FromSeconds(14.9));
        Assert.False(health.IsUsable(Target));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(health.IsUsable(Target));
    }

    [Fact]
    public async Task ExecuteAsync_HalfOfAtLeastFourAttemptsFailing_OpensTheCircuitOnTheNextFailure()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        await RecordAsync(health, Failure, Success, Failure, Success);

        Assert.True(health.IsUsable(Target));
        await RecordAsync(health, Failure);
        Assert.False(health.IsUsable(Target));
    }

    [Fact]
    public async Task ExecuteAsync_ThreeFailures_AreBelowTheMinimumThroughput()
    {
        var time = new FakeTimeProvider();
        var health = new TargetHealth(time);
        await RecordAsync(health, Failure, Failure, Failure);

        Assert.True(health.IsUsable(Target));
    }

    [Fact]
    public async Task ExecuteAsync_AttemptThatThrows_Rethrows()
    {
        var health = new TargetHealth(new FakeTimeProvider());

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await health.ExecuteAsync<string>(Target, (_, _) => throw new InvalidOperationException("bug"), CancellationToken.None));
    }

    private static async Task RecordAsync(TargetHealth health, params AttemptResult<string>[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Assert.Same(outcome, await health.ExecuteAsync(Target, (_, _) => ValueTask.FromResult(outcome), CancellationToken.None));
        }
    }
}
