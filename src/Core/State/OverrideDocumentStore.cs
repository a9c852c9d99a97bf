using Azure.Data.Tables;
using Gateway.State.Tables;

namespace Gateway.State;

/// <summary>
/// The admin overrides as one document: read whole, replaced whole. On Table Storage a replacement is
/// one transaction in the overrides partition (every row is in it, see <see cref="OverrideEntity"/>), so
/// it is written entirely or not at all; it is refused while the store is degraded — the memory fallback
/// would keep a change on this instance only and lose it on restart, and an admin must never be told a
/// change was saved when it was not. Without a State account the document lives in this process's memory.
/// </summary>
internal sealed class OverrideDocumentStore : IDisposable
{
    /// <summary>One table transaction holds at most 100 operations (upserts plus deletes).</summary>
    public const int MaxOperations = 100;

    private readonly StateStores _stores;
    private readonly StateHealth _health;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly OverrideMap _map = new();

    // The document as last read from or written to the store: what a GET shows while the store is down
    // (the fallback store holds only this instance's writes, which are refused, so it would show nothing).
    private IReadOnlyList<ModelOverride> _last = [];

    public OverrideDocumentStore(StateStores stores, StateHealth health, TimeProvider time)
    {
        _stores = stores;
        _health = health;
        _time = time;
    }

    public void Dispose() => _writes.Dispose();

    /// <summary>"table" or "memory": where the document is kept.</summary>
    public string Kind => _stores.Tables is null ? "memory" : "table";

    /// <summary>The stored document (while degraded: the last copy this instance read or wrote).</summary>
    public async ValueTask<IReadOnlyList<ModelOverride>> ReadAsync(CancellationToken cancellationToken)
    {
        if (_stores.Tables is not null && _health.IsDegraded)
        {
            return Volatile.Read(ref _last);
        }

        var read = await _stores.Overrides.ListAsync(cancellationToken);
        if (_stores.Tables is null || !_health.IsDegraded)
        {
            Volatile.Write(ref _last, read);
        }

        return _health.IsDegraded ? Volatile.Read(ref _last) : read;
    }

    /// <summary>Replaces the document with <paramref name="next"/>; <see cref="ReplaceResult.Unavailable"/> when nothing was written.</summary>
    public async Task<ReplaceResult> ReplaceAsync(IReadOnlyList<ModelOverride> next, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            if (_stores.Tables is null)
            {
                return await ReplaceInMemoryAsync(next, cancellationToken);
            }

            if (_health.IsDegraded)
            {
                return ReplaceResult.Unavailable;
            }

            var result = await ReplaceInTableAsync(_stores.Tables.Table(_map.TableSuffix), next, cancellationToken);
            if (result == ReplaceResult.Saved)
            {
                Volatile.Write(ref _last, next);
            }

            return result;
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task<ReplaceResult> ReplaceInTableAsync(TableClient table, IReadOnlyList<ModelOverride> next, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var existing = new List<string>();
            await foreach (var row in table.QueryAsync<TableEntity>(_map.ListFilter, select: ["RowKey"], cancellationToken: linked.Token))
            {
                existing.Add(row.RowKey);
            }

            var actions = new List<TableTransactionAction>();
            var kept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var modelOverride in next)
            {
                var entity = TableEntities.ToTable(_map.ToEntity(modelOverride));
                kept.Add(entity.RowKey);
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
            }

            foreach (var rowKey in existing)
            {
                if (!kept.Contains(rowKey))
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(OverrideEntity.Partition, rowKey), Azure.ETag.All));
                }
            }

            if (actions.Count > MaxOperations)
            {
                return ReplaceResult.TooLarge;
            }

            if (actions.Count > 0)
            {
                await table.SubmitTransactionAsync(actions, linked.Token);
            }

            return ReplaceResult.Saved;
        }
        catch (Exception ex) when (StateGuard.IsOutage(ex, cancellationToken))
        {
            _health.ReportFailure(StateGuard.Describe(ex));
            return ReplaceResult.Unavailable;
        }
    }

    private async Task<ReplaceResult> ReplaceInMemoryAsync(IReadOnlyList<ModelOverride> next, CancellationToken cancellationToken)
    {
        var store = _stores.Overrides;
        foreach (var existing in await store.ListAsync(cancellationToken))
        {
            await store.DeleteAsync(existing.Key, cancellationToken);
        }

        foreach (var modelOverride in next)
        {
            await store.SaveAsync(modelOverride with { ETag = null }, cancellationToken);
        }

        return ReplaceResult.Saved;
    }
}
