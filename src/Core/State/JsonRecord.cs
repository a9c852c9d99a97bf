namespace Gateway.State;

/// <summary>
/// A JSON document kept under a hashed key until it expires: the thinking blocks of a tool-using turn
/// (<see cref="ThinkingMemory"/>), a kept response (<see cref="ResponseHistory"/>).
/// </summary>
/// <param name="Key">The record key (a SHA-256 hex digest that includes the client key's name).</param>
/// <param name="Json">The document.</param>
/// <param name="ExpiresAt">When it is forgotten (the session TTL after it was made).</param>
/// <param name="ETag">The stored version.</param>
internal sealed record JsonRecord(string Key, string Json, DateTimeOffset? ExpiresAt, string? ETag = null) : IStateRecord
{
    public IStateRecord WithETag(string? etag) => this with { ETag = etag };
}
