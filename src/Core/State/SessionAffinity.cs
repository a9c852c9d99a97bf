using System.Collections.Concurrent;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.State;

/// <summary>
/// Sessions on the chat path: the target a session used last is tried first (if usable), and each
/// completed turn records the target and bumps the session's turn count. Only requests that have a
/// session (an explicit header, or <c>ImplicitSessions</c>) touch the store, and the affinity a request
/// reads is kept in this instance for <c>ReloadSeconds</c>: clients such as Claude Code send a session
/// id with every request, and a store read on each would add a round trip to every one of them
/// (measured: about 2–3 ms per request against Azurite). Affinity is a routing hint, so another
/// instance's newer choice arriving a few seconds late costs a cache miss upstream, nothing more.
/// </summary>
internal sealed class SessionAffinity
{
    private readonly StateStores _stores;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _localFor;
    private readonly ConcurrentDictionary<string, Local> _local = new(StringComparer.Ordinal);

    // Turns are recorded off the response path; while the store is slow, at most this many writes wait
    // and later turns are not recorded (the count is a statistic), so pending work cannot grow unbounded.
    private const int MaxPendingWrites = 256;
    private int _pendingWrites;

    public SessionAffinity(StateStores stores, GatewayOptions options, TimeProvider time)
    {
        _stores = stores;
        _time = time;
        _ttl = TimeSpan.FromMinutes(options.State.SessionTtlMinutes);
        _localFor = TimeSpan.FromSeconds(options.State.ReloadSeconds);
        ImplicitSessions = options.State.ImplicitSessions;
    }

    public bool ImplicitSessions { get; }

    /// <summary>The chat-site session stored under <paramref name="sessionKey"/> (with its turn count), or null.</summary>
    public async ValueTask<Chat.SiteSession?> SiteSessionAsync(string sessionKey, CancellationToken cancellationToken) =>
        await _stores.Sessions.GetAsync(sessionKey, cancellationToken) is { } record && (record.UpstreamSessionId ?? record.ExchangeId) is not null
            ? SiteOf(record)
            : null;

    /// <summary>The <see cref="RouteTarget.Key"/> the session used last, if any.</summary>
    public async ValueTask<string?> PreferredTargetAsync(string sessionKey, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_local.TryGetValue(sessionKey, out var cached) && now - cached.ReadAt < _localFor)
        {
            return cached.Target;
        }

        var affinity = await _stores.Affinity.GetAsync(sessionKey, cancellationToken);
        var target = affinity is null ? null : affinity.Provider + "/" + affinity.TargetModel;
        _local[sessionKey] = new Local(target, now, _local.TryGetValue(sessionKey, out var previous) ? previous.WrittenAt : null);
        Trim(now);
        return target;
    }

    /// <summary>
    /// Records a completed turn without making the caller wait; false when too many writes are already
    /// pending and this one is skipped. <paramref name="onError"/> sees a failure nothing else handled.
    /// </summary>
    public bool TryRecordTurnInBackground(string sessionKey, string model, RouteTarget target, Action<Exception> onError, Chat.SiteSession? site = null)
    {
        if (Interlocked.Increment(ref _pendingWrites) > MaxPendingWrites)
        {
            Interlocked.Decrement(ref _pendingWrites);
            return false;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await RecordTurnAsync(sessionKey, model, target, CancellationToken.None, site);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                onError(ex);
            }
            finally
            {
                Interlocked.Decrement(ref _pendingWrites);
            }
        });
        return true;
    }

    /// <summary>
    /// Records a completed turn (optimistic writes, retried once on a concurrent update). A chat site's
    /// answer names its session (<paramref name="site"/>), kept for the next turn; a turn another kind of
    /// target answered leaves the site session behind, so it is dropped.
    /// </summary>
    public async Task RecordTurnAsync(string sessionKey, string model, RouteTarget target, CancellationToken cancellationToken, Chat.SiteSession? site = null)
    {
        var now = _time.GetUtcNow();
        var expires = now + _ttl;
        var chatSite = target.Provider.Kind == ProviderKind.ChatSite;
        // A site that named its session: that session (and what it was told) replaces the stored one.
        var learned = chatSite && site is not null && (site.SessionId ?? site.ExchangeId) is not null ? site : null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var session = await _stores.Sessions.GetAsync(sessionKey, cancellationToken);
            var kept = SiteStateAfter(session, learned, chatSite);
            var next = (session ?? new SessionRecord(sessionKey, model, null, null, 0, expires)) with
            {
                TurnCount = (session?.TurnCount ?? 0) + 1,
                ExpiresAt = expires,
                UpstreamSessionId = kept?.SessionId,
                ExchangeId = kept?.ExchangeId,
                SiteNonce = kept?.Nonce,
                SiteContext = kept?.Context,
                SiteTools = kept?.Tools,
            };
            if ((await _stores.Sessions.SaveAsync(next, cancellationToken)).Saved)
            {
                break;
            }
        }

        // The affinity row changes only when the target does; otherwise it is rewritten (to extend its
        // expiry) at most every half TTL — two store calls saved on most turns.
        if (_local.TryGetValue(sessionKey, out var known) && known.Target == target.Key && known.WrittenAt is { } written && now - written < _ttl / 2)
        {
            _local[sessionKey] = known with { ReadAt = now };
            return;
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var affinity = await _stores.Affinity.GetAsync(sessionKey, cancellationToken);
            var next = new AffinityRecord(sessionKey, target.Provider.Id, target.Model, expires, affinity?.ETag);
            if ((await _stores.Affinity.SaveAsync(next, cancellationToken)).Saved)
            {
                _local[sessionKey] = new Local(target.Key, now, now);
                Trim(now);
                break;
            }
        }
    }

    /// <summary>Drops this instance's copy of a session's affinity (an admin deleted the session).</summary>
    public void Forget(string sessionKey) => _local.TryRemove(sessionKey, out _);

    // Bounded: entries older than the window are useless, so a large map is swept of them.
    private void Trim(DateTimeOffset now)
    {
        if (_local.Count <= 100_000)
        {
            return;
        }

        foreach (var (key, value) in _local)
        {
            if (now - value.ReadAt >= _localFor)
            {
                _local.TryRemove(key, out _);
            }
        }
    }

    private sealed record Local(string? Target, DateTimeOffset ReadAt, DateTimeOffset? WrittenAt);

    // The site session a recorded turn leaves: the one the site just named (a site that names only one of
    // its ids keeps the other while it is the same conversation), else the stored one while a chat site
    // served the turn; another kind of target leaves the site session behind.
    private static Chat.SiteSession? SiteStateAfter(SessionRecord? stored, Chat.SiteSession? learned, bool chatSite)
    {
        var previous = stored is null ? null : SiteOf(stored);
        if (learned is null)
        {
            return chatSite ? previous : null;
        }

        var same = previous is not null && learned.Context == previous.Context;
        return learned with
        {
            SessionId = learned.SessionId ?? (same ? previous!.SessionId : null),
            ExchangeId = learned.ExchangeId ?? (same ? previous!.ExchangeId : null),
        };
    }

    private static Chat.SiteSession SiteOf(SessionRecord record) =>
        new(record.UpstreamSessionId, record.ExchangeId, record.TurnCount, record.SiteNonce, record.SiteContext, record.SiteTools);
}
