namespace Gateway.State;

/// <summary>The model-list cache on Table Storage, falling back to memory while the store is down.</summary>
internal sealed class GuardedModelListStore : IModelListStore
{
    private readonly IModelListStore _primary;
    private readonly IModelListStore _fallback;
    private readonly StateGuard _guard;

    public GuardedModelListStore(IModelListStore primary, IModelListStore fallback, StateGuard guard)
    {
        _primary = primary;
        _fallback = fallback;
        _guard = guard;
    }

    public ValueTask<IReadOnlyList<ModelListRecord>> LoadAllAsync(CancellationToken cancellationToken) =>
        _guard.RunAsync(ct => _primary.LoadAllAsync(ct), ct => _fallback.LoadAllAsync(ct), cancellationToken);

    public async ValueTask SaveAsync(ModelListRecord list, CancellationToken cancellationToken)
    {
        // The memory copy is always kept, so the last good list survives an outage of the store too.
        await _fallback.SaveAsync(list, cancellationToken);
        await _guard.RunAsync(
            async ct =>
            {
                await _primary.SaveAsync(list, ct);
                return true;
            },
            _ => ValueTask.FromResult(false),
            cancellationToken);
    }
}
