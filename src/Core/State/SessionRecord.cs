namespace Gateway.State;

/// <summary>
/// A conversation's state: the upstream's own session and exchange ids (for upstreams that keep
/// sessions) and how many turns it has had. Key: see <see cref="SessionKeys"/>.
/// </summary>
internal sealed record SessionRecord(string Key, string Model, string? UpstreamSessionId, string? ExchangeId, int TurnCount, DateTimeOffset? ExpiresAt, string? ETag = null)
    : IStateRecord
{
    /// <summary>The chat site's tool-protocol nonce in this session (see <see cref="Chat.SiteSession"/>).</summary>
    public string? SiteNonce { get; init; }

    /// <summary>The digest of the conversation the chat site's session holds.</summary>
    public string? SiteContext { get; init; }

    /// <summary>The digest of the tools the chat site was given in this session.</summary>
    public string? SiteTools { get; init; }

    public IStateRecord WithETag(string? etag) => this with { ETag = etag };
}
