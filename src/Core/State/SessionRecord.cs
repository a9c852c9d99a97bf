namespace Gateway.State;

/// <summary>
/// A conversation's state: the upstream's own session and exchange ids (for upstreams that keep
/// sessions) and how many turns it has had. Key: see <see cref="SessionKeys"/>.
/// </summary>
internal sealed record SessionRecord(string Key, string Model, string? UpstreamSessionId, string? ExchangeId, int TurnCount, DateTimeOffset? ExpiresAt, string? ETag = null)
    : IStateRecord
{
    public IStateRecord WithETag(string? etag) => this with { ETag = etag };
}
