namespace Gateway.State;

/// <summary>
/// A managed upstream token shared by every instance (key: provider id). <see cref="RefreshingUntil"/>
/// is a lease: the instance that set it (with an ETag-checked write) fetches the next token while the
/// others wait for it, so the token is refreshed once.
/// </summary>
internal sealed record TokenRecord(string Key, string? Token, DateTimeOffset TokenExpiresAt, DateTimeOffset? RefreshingUntil, string? ETag = null)
    : IStateRecord
{
    /// <summary>Kept a day past the token's own expiry so the row and its lease outlive short outages.</summary>
    public IStateRecord WithETag(string? etag) => this with { ETag = etag };

    public DateTimeOffset? ExpiresAt => TokenExpiresAt + TimeSpan.FromDays(1);
}
