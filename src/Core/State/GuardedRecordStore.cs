namespace Gateway.State;

/// <summary>A Table Storage store that falls back to memory while the store is down (see <see cref="StateGuard"/>).</summary>
internal sealed class GuardedRecordStore<TRecord> : IRecordStore<TRecord>
    where TRecord : class, IStateRecord
{
    private readonly IRecordStore<TRecord> _primary;
    private readonly IRecordStore<TRecord> _fallback;
    private readonly StateGuard _guard;

    public GuardedRecordStore(IRecordStore<TRecord> primary, IRecordStore<TRecord> fallback, StateGuard guard)
    {
        _primary = primary;
        _fallback = fallback;
        _guard = guard;
    }

    public ValueTask<TRecord?> GetAsync(string key, CancellationToken cancellationToken) =>
        _guard.RunAsync(ct => _primary.GetAsync(key, ct), ct => _fallback.GetAsync(key, ct), cancellationToken);

    public ValueTask<SaveResult> SaveAsync(TRecord record, CancellationToken cancellationToken) =>
        _guard.RunAsync(ct => _primary.SaveAsync(record, ct), ct => _fallback.SaveAsync(record, ct), cancellationToken);

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        _guard.RunAsync(ct => _primary.DeleteAsync(key, ct), ct => _fallback.DeleteAsync(key, ct), cancellationToken);

    public ValueTask<IReadOnlyList<TRecord>> ListAsync(CancellationToken cancellationToken) =>
        _guard.RunAsync(ct => _primary.ListAsync(ct), ct => _fallback.ListAsync(ct), cancellationToken);

    // A sweep is many calls (a scan and a delete per row): it gets a budget of its own, so a large table
    // is not mistaken for an outage. Each call inside still has the 2 s timeout.
    public ValueTask<int> SweepExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _guard.RunAsync(ct => _primary.SweepExpiredAsync(now, ct), ct => _fallback.SweepExpiredAsync(now, ct), cancellationToken, SweepBudget);

    private static readonly TimeSpan SweepBudget = TimeSpan.FromMinutes(2);
}
