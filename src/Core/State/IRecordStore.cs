namespace Gateway.State;

/// <summary>
/// Keyed records with ETag concurrency: a save of a record whose <see cref="IStateRecord.ETag"/> is null
/// inserts (and loses if the key exists); otherwise it replaces only if the stored version still has
/// that tag. Expired records read as missing. Implemented in memory and on Azure Table Storage.
/// </summary>
internal interface IRecordStore<TRecord>
    where TRecord : class, IStateRecord
{
    ValueTask<TRecord?> GetAsync(string key, CancellationToken cancellationToken);

    ValueTask<SaveResult> SaveAsync(TRecord record, CancellationToken cancellationToken);

    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every live record (for small stores such as overrides).</summary>
    ValueTask<IReadOnlyList<TRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes records that expired before <paramref name="now"/>; returns how many.</summary>
    ValueTask<int> SweepExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
