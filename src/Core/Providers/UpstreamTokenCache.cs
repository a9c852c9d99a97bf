using System.Collections.Concurrent;

namespace Gateway.Providers;

/// <summary>
/// What every token source shares: per provider, the current token kept in memory and used until
/// <c>UpstreamAuth:SkewSeconds</c> before it expires, and one refresh at a time — callers that arrive
/// during a refresh wait for its result instead of starting their own.
/// </summary>
internal sealed class UpstreamTokenCache
{
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, UpstreamToken> _tokens = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.OrdinalIgnoreCase);

    public UpstreamTokenCache(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>
    /// The cached token while it is fresh and not <paramref name="rejected"/>; otherwise the result of
    /// <paramref name="obtain"/> (called by one caller at a time per provider), which is then cached.
    /// </summary>
    public async ValueTask<string> GetAsync<TState>(
        Provider provider,
        string? rejected,
        TState state,
        Func<TState, Provider, string?, CancellationToken, Task<UpstreamToken>> obtain,
        CancellationToken cancellationToken)
    {
        if (rejected is null && _tokens.TryGetValue(provider.Id, out var cached) && IsFresh(provider, cached))
        {
            return cached.Value;
        }

        var gate = _gates.GetOrAdd(provider.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Someone else refreshed while this caller waited.
            if (_tokens.TryGetValue(provider.Id, out cached) && cached.Value != rejected && IsFresh(provider, cached))
            {
                return cached.Value;
            }

            var token = await obtain(state, provider, rejected, cancellationToken);
            _tokens[provider.Id] = token;
            return token.Value;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>True until <c>SkewSeconds</c> before the token expires.</summary>
    public bool IsFresh(Provider provider, UpstreamToken token) =>
        token.ExpiresAt - TimeSpan.FromSeconds(provider.Options.UpstreamAuth.SkewSeconds) > _time.GetUtcNow();
}
