using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary><see cref="IRecordStore{TRecord}"/> on one Azure table, with ETag concurrency.</summary>
internal sealed class TableRecordStore<TRecord, [DynamicallyAccessedMembers(TableEntities.Kept)] TEntity> : IRecordStore<TRecord>
    where TRecord : class, IStateRecord
    where TEntity : class, ITableEntity, new()
{
    private readonly TableClient _table;
    private readonly ITableRecordMap<TRecord, TEntity> _map;
    private readonly TimeProvider _time;

    public TableRecordStore(TableClient table, ITableRecordMap<TRecord, TEntity> map, TimeProvider time)
    {
        _table = table;
        _map = map;
        _time = time;
    }

    public async ValueTask<TRecord?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var (partition, row) = _map.KeysOf(key);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
        if (!response.HasValue || _map.ToRecord(TableEntities.FromTable<TEntity>(response.Value!)) is not { } record)
        {
            return null;
        }

        return record.ExpiresAt is { } expires && expires <= _time.GetUtcNow() ? null : record;
    }

    public async ValueTask<SaveResult> SaveAsync(TRecord record, CancellationToken cancellationToken)
    {
        var entity = TableEntities.ToTable(_map.ToEntity(record));
        try
        {
            if (record.ETag is null)
            {
                var added = await _table.AddEntityAsync(entity, cancellationToken);
                return new SaveResult(true, added.Headers.ETag?.ToString());
            }

            var updated = await _table.UpdateEntityAsync(entity, new ETag(record.ETag), TableUpdateMode.Replace, cancellationToken);
            return new SaveResult(true, updated.Headers.ETag?.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && record.ETag is null)
        {
            // The key exists. An expired or unreadable (unknown schema) row counts as absent: replace it.
            var (partition, row) = _map.KeysOf(record.Key);
            var existing = await _table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
            if (!existing.HasValue)
            {
                return SaveResult.Conflict;
            }

            var current = _map.ToRecord(TableEntities.FromTable<TEntity>(existing.Value!));
            if (current is not null && (current.ExpiresAt is null || current.ExpiresAt > _time.GetUtcNow()))
            {
                return SaveResult.Conflict;
            }

            try
            {
                var replaced = await _table.UpdateEntityAsync(entity, existing.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                return new SaveResult(true, replaced.Headers.ETag?.ToString());
            }
            catch (RequestFailedException inner) when (inner.Status is 404 or 412)
            {
                return SaveResult.Conflict;
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 412 || (ex.Status == 404 && ex.ErrorCode == "ResourceNotFound"))
        {
            // 412: another writer got there first. 404 on update: the row was deleted meanwhile.
            return SaveResult.Conflict;
        }
    }

    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var (partition, row) = _map.KeysOf(key);
        var response = await _table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
        return response.Status != 404;
    }

    public async ValueTask<IReadOnlyList<TRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var records = new List<TRecord>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(_map.ListFilter, cancellationToken: cancellationToken))
        {
            if (_map.ToRecord(TableEntities.FromTable<TEntity>(entity)) is { } record && (record.ExpiresAt is null || record.ExpiresAt > now))
            {
                records.Add(record);
            }
        }

        return records;
    }

    /// <summary>
    /// Deletes at most <see cref="MaxSweep"/> expired rows per run (the next run continues). Each delete is
    /// conditional on the version the scan saw, so a row renewed in between survives.
    /// </summary>
    public async ValueTask<int> SweepExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"ExpiresAt lt {now}");
        var deleted = 0;
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            try
            {
                var response = await _table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
                if (response.Status != 404)
                {
                    deleted++;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Renewed after the scan: still in use.
            }

            if (deleted >= MaxSweep)
            {
                break;
            }
        }

        return deleted;
    }

    private const int MaxSweep = 5000;
}
