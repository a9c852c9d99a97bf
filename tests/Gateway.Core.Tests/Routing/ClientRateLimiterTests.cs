using Gateway.Configuration;
using Gateway.Routing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Routing;

public sealed class ClientRateLimiterTests
{
    [Fact]
    public void TryAcquire_BurstThenRefillAtRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(new GatewayOptions { Limits = new LimitsOptions { RequestsPerSecond = 2, Burst = 3 } }, time);

        Assert.True(limiter.TryAcquire("k", out _));
        Assert.True(limiter.TryAcquire("k", out _));
        Assert.True(limiter.TryAcquire("k", out _));
        Assert.False(limiter.TryAcquire("k", out var retryAfter));
        Assert.Equal(1, retryAfter);
        Assert.True(limiter.TryAcquire("other", out _));

        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(limiter.TryAcquire("k", out _));
        Assert.False(limiter.TryAcquire("k", out _));
    }

    // Regression: with Auth None every client address got a bucket that was never removed.
    [Fact]
    public void TryAcquire_RefilledBucketsAreEvictedWhenThereAreMany()
    {
        var time = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(new GatewayOptions { Limits = new LimitsOptions { RequestsPerSecond = 10, Burst = 5 } }, time);
        for (var i = 0; i < 12_000; i++)
        {
            limiter.TryAcquire("ip:" + i, out _);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 2048; i++)
        {
            limiter.TryAcquire("ip:fresh", out _);
        }

        Assert.True(limiter.BucketCount < 100, $"{limiter.BucketCount} buckets left");
    }

    [Fact]
    public void TryAcquire_ZeroRateIsOff()
    {
        var limiter = new ClientRateLimiter(new GatewayOptions { Limits = new LimitsOptions { RequestsPerSecond = 0, Burst = 1 } }, new FakeTimeProvider());

        for (var i = 0; i < 100; i++)
        {
            Assert.True(limiter.TryAcquire("k", out _));
        }
    }

    [Fact]
    public void TryAcquire_RetryAfterCoversTheWait()
    {
        var limiter = new ClientRateLimiter(new GatewayOptions { Limits = new LimitsOptions { RequestsPerSecond = 0.1, Burst = 1 } }, new FakeTimeProvider());

        Assert.True(limiter.TryAcquire("k", out _));
        Assert.False(limiter.TryAcquire("k", out var retryAfter));
        Assert.Equal(10, retryAfter);
    }
}
