using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.State;

/// <summary>
/// Sessions on the chat path: the target a session used last is tried first (if usable), and each
/// completed turn records the target and bumps the session's turn count. Only requests that have a
/// session (an explicit header, or <c>ImplicitSessions</c>) touch the store.
/// </summary>
internal sealed class SessionAffinity
{
    private readonly StateStores _stores;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;

    public SessionAffinity(StateStores stores, GatewayOptions options, TimeProvider time)
    {
        _stores = stores;
        _time = time;
        _ttl = TimeSpan.FromMinutes(options.State.SessionTtlMinutes);
        ImplicitSessions = options.State.ImplicitSessions;
    }

    public bool ImplicitSessions { get; }

    /// <summary>The <see cref="RouteTarget.Key"/> the session used last, if any.</summary>
    public async ValueTask<string?> PreferredTargetAsync(string sessionKey, CancellationToken cancellationToken)
    {
        var affinity = await _stores.Affinity.GetAsync(sessionKey, cancellationToken);
        return affinity is null ? null : affinity.Provider + "/" + affinity.TargetModel;
    }

    /// <summary>Records a completed turn (optimistic writes, retried once on a concurrent update).</summary>
    public async Task RecordTurnAsync(string sessionKey, string model, RouteTarget target, CancellationToken cancellationToken)
    {
        var expires = _time.GetUtcNow() + _ttl;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var session = await _stores.Sessions.GetAsync(sessionKey, cancellationToken);
            var next = session is null
                ? new SessionRecord(sessionKey, model, null, null, 1, expires)
                : session with { TurnCount = session.TurnCount + 1, ExpiresAt = expires };
            if ((await _stores.Sessions.SaveAsync(next, cancellationToken)).Saved)
            {
                break;
            }
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var affinity = await _stores.Affinity.GetAsync(sessionKey, cancellationToken);
            var next = new AffinityRecord(sessionKey, target.Provider.Id, target.Model, expires, affinity?.ETag);
            if ((await _stores.Affinity.SaveAsync(next, cancellationToken)).Saved)
            {
                break;
            }
        }
    }
}
