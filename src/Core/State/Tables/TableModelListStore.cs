using Azure;
using Azure.Data.Tables;
using Gateway.Routing;

namespace Gateway.State.Tables;

/// <summary><see cref="IModelListStore"/> on the <c>{prefix}Models</c> table (see <see cref="ModelEntity"/>).</summary>
internal sealed class TableModelListStore : IModelListStore
{
    private const int MaxBatch = 100;
    private readonly TableClient _table;

    public TableModelListStore(TableClient table)
    {
        _table = table;
    }

    public async ValueTask<IReadOnlyList<ModelListRecord>> LoadAllAsync(CancellationToken cancellationToken)
    {
        var byProvider = new Dictionary<string, (List<UpstreamModel> Models, DateTimeOffset FetchedAt)>(StringComparer.OrdinalIgnoreCase);
        await foreach (var row in _table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            var entity = TableEntities.FromTable<ModelEntity>(row);
            if (entity.SchemaVersion != ModelEntity.CurrentSchema || entity.Provider is null || entity.ModelId is null)
            {
                continue;
            }

            if (!byProvider.TryGetValue(entity.Provider, out var list))
            {
                list = ([], entity.FetchedAt);
            }

            list.Models.Add(new UpstreamModel(entity.ModelId, entity.OwnedBy ?? entity.Provider));
            byProvider[entity.Provider] = (list.Models, entity.FetchedAt > list.FetchedAt ? entity.FetchedAt : list.FetchedAt);
        }

        return [.. byProvider.Select(pair => new ModelListRecord(pair.Key, pair.Value.Models, pair.Value.FetchedAt))];
    }

    public async ValueTask SaveAsync(ModelListRecord list, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Encode(list.Provider);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var actions = new List<TableTransactionAction>();
        foreach (var model in list.Models)
        {
            var row = TableKeys.Encode(model.Id);
            if (!keep.Add(row))
            {
                continue;
            }

            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, TableEntities.ToTable(new ModelEntity
            {
                PartitionKey = partition,
                RowKey = row,
                SchemaVersion = ModelEntity.CurrentSchema,
                Provider = list.Provider,
                ModelId = model.Id,
                OwnedBy = model.OwnedBy,
                FetchedAt = list.FetchedAt,
            })));
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        await foreach (var existing in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (!keep.Contains(existing.RowKey))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, existing, ETag.All));
            }
        }

        // A transaction holds at most 100 operations of one partition; a list is one partition.
        for (var i = 0; i < actions.Count; i += MaxBatch)
        {
            await _table.SubmitTransactionAsync(actions.Skip(i).Take(MaxBatch), cancellationToken);
        }
    }
}
