using System.Collections.Concurrent;
using Gateway.Configuration;

namespace Gateway.Routing;

/// <summary>
/// A token bucket per client key (SPEC §5 Limits): <c>RequestsPerSecond</c> refill, <c>Burst</c> size.
/// A refused request learns how long until a token is available (sent as <c>Retry-After</c>).
/// </summary>
internal sealed class ClientRateLimiter
{
    private readonly double _rate;
    private readonly int _burst;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public ClientRateLimiter(GatewayOptions options, TimeProvider time)
    {
        _rate = options.Limits.RequestsPerSecond;
        _burst = options.Limits.Burst;
        _time = time;
    }

    /// <summary>A rate is configured (<c>RequestsPerSecond</c> above 0); otherwise every request passes.</summary>
    public bool Enabled => _rate > 0;

    /// <summary>Buckets held (for tests and diagnostics).</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>Takes a token for <paramref name="key"/>; false with the wait in whole seconds when the bucket is empty.</summary>
    public bool TryAcquire(string key, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (_rate <= 0)
        {
            return true;
        }

        var now = _time.GetTimestamp();
        if (_buckets.Count > MaxIdleBuckets && Interlocked.Increment(ref _sinceEviction) % 1024 == 0)
        {
            EvictFull(now);
        }

        var bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state._burst, state.now), (_burst, now));
        lock (bucket)
        {
            var elapsed = _time.GetElapsedTime(bucket.Updated, now).TotalSeconds;
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + (elapsed * _rate));
            bucket.Updated = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return true;
            }

            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((1 - bucket.Tokens) / _rate));
            return false;
        }
    }

    // A bucket that has refilled completely is the same as a new one, so it can go. Keys are few with
    // Bearer auth; with Auth None they are client addresses, which are unbounded.
    private void EvictFull(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                if (bucket.Tokens + (_time.GetElapsedTime(bucket.Updated, now).TotalSeconds * _rate) >= _burst)
                {
                    _buckets.TryRemove(key, out _);
                }
            }
        }
    }

    private const int MaxIdleBuckets = 10_000;
    private long _sinceEviction;

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}
