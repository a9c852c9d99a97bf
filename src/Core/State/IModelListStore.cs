namespace Gateway.State;

/// <summary>The model-list cache per provider (one row per model in Table Storage).</summary>
internal interface IModelListStore
{
    ValueTask<IReadOnlyList<ModelListRecord>> LoadAllAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the provider's list.</summary>
    ValueTask SaveAsync(ModelListRecord list, CancellationToken cancellationToken);
}
