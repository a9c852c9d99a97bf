using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary>How one record type is laid out in its table (see each entity for the key design).</summary>
internal interface ITableRecordMap<TRecord, TEntity>
    where TRecord : class, IStateRecord
    where TEntity : class, ITableEntity
{
    /// <summary>Table name after the configured prefix.</summary>
    string TableSuffix { get; }

    /// <summary>OData filter that selects every record for <c>ListAsync</c>; null for the whole table.</summary>
    string? ListFilter { get; }

    (string PartitionKey, string RowKey) KeysOf(string key);

    TEntity ToEntity(TRecord record);

    /// <summary>The record, or null when the entity's schema version is not one this build knows.</summary>
    TRecord? ToRecord(TEntity entity);
}
