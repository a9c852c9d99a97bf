namespace Gateway.State;

/// <summary>The target a session used last, so its next turn goes there again (prompt caches stay warm).</summary>
internal sealed record AffinityRecord(string Key, string Provider, string TargetModel, DateTimeOffset? ExpiresAt, string? ETag = null)
    : IStateRecord
{
    public IStateRecord WithETag(string? etag) => this with { ETag = etag };
}
