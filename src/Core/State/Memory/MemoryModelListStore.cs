using System.Collections.Concurrent;

namespace Gateway.State.Memory;

/// <summary><see cref="IModelListStore"/> in this process's memory.</summary>
internal sealed class MemoryModelListStore : IModelListStore
{
    private readonly ConcurrentDictionary<string, ModelListRecord> _lists = new(StringComparer.OrdinalIgnoreCase);

    public ValueTask<IReadOnlyList<ModelListRecord>> LoadAllAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ModelListRecord>>([.. _lists.Values]);

    public ValueTask SaveAsync(ModelListRecord list, CancellationToken cancellationToken)
    {
        _lists[list.Provider] = list;
        return ValueTask.CompletedTask;
    }
}
