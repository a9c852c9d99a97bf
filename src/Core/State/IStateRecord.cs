namespace Gateway.State;

/// <summary>A record kept in a <see cref="IRecordStore{TRecord}"/>: a key, an optimistic-concurrency tag, an optional expiry.</summary>
internal interface IStateRecord
{
    /// <summary>The record's key (already hashed when it came from a client).</summary>
    string Key { get; }

    /// <summary>The version read from the store; null for a record that was never saved.</summary>
    string? ETag { get; }

    /// <summary>After this the record is gone (reads miss it, the sweep deletes it); null = never expires.</summary>
    DateTimeOffset? ExpiresAt { get; }

    /// <summary>The same record carrying <paramref name="etag"/>.</summary>
    IStateRecord WithETag(string? etag);
}
