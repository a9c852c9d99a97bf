namespace Gateway.State;

/// <summary>
/// The thinking blocks of one assistant turn that called tools, for clients whose format cannot carry
/// them (OpenAI Chat): kept so they can be re-attached when that turn comes back. Key: a SHA-256 of the
/// client key's name and the turn's first tool-call id (see <see cref="ThinkingMemory"/>).
/// </summary>
/// <param name="Key">The record key.</param>
/// <param name="BlocksJson">The blocks as JSON (text, origin-tagged signatures, redacted payloads).</param>
/// <param name="ExpiresAt">When the turn is forgotten (the session TTL after it was made).</param>
/// <param name="ETag">The stored version.</param>
internal sealed record ThinkingRecord(string Key, string BlocksJson, DateTimeOffset? ExpiresAt, string? ETag = null) : IStateRecord
{
    public IStateRecord WithETag(string? etag) => this with { ETag = etag };
}
