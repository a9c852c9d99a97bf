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

    [Fact]
    public void TryAcquire_PartlyRefilledBucket_RetryAfterIsTheRestOfTheWait()
    {
        var time = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(new GatewayOptions { Limits = new LimitsOptions { RequestsPerSecond = 0.25, Burst = 2 } }, time);
        Assert.True(limiter.TryAcquire("k", out _));
        Assert.True(limiter.TryAcquire("k", out _));

        // A token takes 4 s; after 1 s a quarter of one is back, so 3 s remain.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(limiter.TryAcquire("k", out var afterOne));
        time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(limiter.TryAcquire("k", out var afterTwoAndAHalf));
        time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True(limiter.TryAcquire("k", out var granted));

        Assert.Equal((3, 2, 0), (afterOne, afterTwoAndAHalf, granted));
    }

    [Fact]
    public void TryAcquire_LongIdle_RefillsOnlyUpToBurst()
    {
        var time = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(new GatewayOptions { Limits = new LimitsOptions { RequestsPerSecond = 1, Burst = 2 } }, time);
        Assert.True(limiter.TryAcquire("k", out _));

        time.Advance(TimeSpan.FromMinutes(10));

        Assert.True(limiter.TryAcquire("k", out _));
        Assert.True(limiter.TryAcquire("k", out _));
        Assert.False(limiter.TryAcquire("k", out var retryAfter));
        Assert.Equal(1, retryAfter);
    }

    // Eviction runs only past 10,000 buckets, and takes only buckets that have refilled completely. Every
    // bucket below has 4 of 5 tokens left; at 1 token/s, half a second later none is full.
    [Theory]
    [InlineData(5_000, 10, 1.0)]
    [InlineData(12_000, 1, 0.5)]
    public void TryAcquire_BucketsFewOrStillRefilling_AreKept(int buckets, double rate, double seconds)
    {
        var time = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(new GatewayOptions { Limits = new LimitsOptions { RequestsPerSecond = rate, Burst = 5 } }, time);
        for (var i = 0; i < buckets; i++)
        {
            limiter.TryAcquire("ip:" + i, out _);
        }

        time.Advance(TimeSpan.FromSeconds(seconds));
        for (var i = 0; i < 2048; i++)
        {
            limiter.TryAcquire("ip:fresh", out _);
        }

        Assert.Equal(buckets + 1, limiter.BucketCount);
    }
}
