namespace Gateway.State.Memory;

/// <summary>
/// <see cref="IRecordStore{TRecord}"/> in this process's memory (one instance; the default without a
/// Table Storage account, and the fallback while Table Storage is unreachable).
/// </summary>
internal sealed class MemoryRecordStore<TRecord> : IRecordStore<TRecord>
    where TRecord : class, IStateRecord
{
    private readonly Dictionary<string, TRecord> _records = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly bool _lenient;

    /// <param name="time">Clock for expiry.</param>
    /// <param name="lenient">
    /// As a fallback the store receives records read from Table Storage, whose tags it has never seen:
    /// a save of an unknown key then inserts instead of conflicting.
    /// </param>
    public MemoryRecordStore(TimeProvider time, bool lenient = false)
    {
        _time = time;
        _lenient = lenient;
    }

    public ValueTask<TRecord?> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(Live(key));
        }
    }

    public ValueTask<SaveResult> SaveAsync(TRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = Live(record.Key);
            var allowed = record.ETag is null
                ? existing is null
                : existing is null ? _lenient : existing.ETag == record.ETag;
            if (!allowed)
            {
                return ValueTask.FromResult(SaveResult.Conflict);
            }

            var etag = Guid.NewGuid().ToString("N");
            _records[record.Key] = (TRecord)record.WithETag(etag);
            return ValueTask.FromResult(new SaveResult(true, etag));
        }
    }

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_records.Remove(key));
        }
    }

    public ValueTask<IReadOnlyList<TRecord>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            return ValueTask.FromResult<IReadOnlyList<TRecord>>([.. _records.Values.Where(r => r.ExpiresAt is null || r.ExpiresAt > now)]);
        }
    }

    public ValueTask<int> SweepExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var expired = _records.Where(pair => pair.Value.ExpiresAt <= now).Select(pair => pair.Key).ToList();
            foreach (var key in expired)
            {
                _records.Remove(key);
            }

            return ValueTask.FromResult(expired.Count);
        }
    }

    private TRecord? Live(string key) =>
        _records.TryGetValue(key, out var record) && (record.ExpiresAt is null || record.ExpiresAt > _time.GetUtcNow()) ? record : null;
}
