namespace Gateway.State;

/// <summary>An admin override: a public model id (alias) and the targets it goes to, winning over configuration.</summary>
internal sealed record ModelOverride(string Key, IReadOnlyList<OverrideTarget> Targets, DateTimeOffset UpdatedAt, string? ETag = null)
    : IStateRecord
{
    public IStateRecord WithETag(string? etag) => this with { ETag = etag };

    public DateTimeOffset? ExpiresAt => null;
}
