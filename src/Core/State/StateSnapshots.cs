using Gateway.Providers;
using Gateway.Routing;
using Microsoft.Extensions.Logging;

namespace Gateway.State;

/// <summary>
/// This instance's copy of what other instances write: admin overrides and provider model lists. Routing
/// reads only this copy, so a chat request never waits on the store; <see cref="ReloadAsync"/> refreshes
/// it every <c>ReloadSeconds</c>. While the store is down the last copy stays in use.
/// </summary>
internal sealed partial class StateSnapshots
{
    private readonly StateStores _stores;
    private readonly StateHealth _health;
    private readonly ProviderModelCache _lists;
    private readonly ProviderRegistry _providers;
    private readonly ILogger<StateSnapshots> _logger;
    private IReadOnlyDictionary<string, IReadOnlyList<RouteTarget>> _overrides = new Dictionary<string, IReadOnlyList<RouteTarget>>();

    public StateSnapshots(StateStores stores, StateHealth health, ProviderModelCache lists, ProviderRegistry providers, ILogger<StateSnapshots> logger)
    {
        _stores = stores;
        _health = health;
        _lists = lists;
        _providers = providers;
        _logger = logger;
    }

    /// <summary>Admin overrides: public id → targets (they win over configuration).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RouteTarget>> Overrides => Volatile.Read(ref _overrides);

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        if (_health.IsDegraded)
        {
            return;
        }

        var lists = await _stores.ModelLists.LoadAllAsync(cancellationToken);
        var overrides = await _stores.Overrides.ListAsync(cancellationToken);
        if (_health.IsDegraded)
        {
            // The store failed during the reload: what came back is the memory fallback, not the shared state.
            return;
        }

        foreach (var list in lists)
        {
            _lists.Apply(list);
        }

        Volatile.Write(ref _overrides, Build(overrides));
    }

    private Dictionary<string, IReadOnlyList<RouteTarget>> Build(IReadOnlyList<ModelOverride> overrides)
    {
        var result = new Dictionary<string, IReadOnlyList<RouteTarget>>(StringComparer.Ordinal);
        foreach (var modelOverride in overrides)
        {
            var targets = Targets(modelOverride);
            if (targets.Count > 0)
            {
                result[modelOverride.Key] = targets;
            }
        }

        return result;
    }

    private List<RouteTarget> Targets(ModelOverride modelOverride)
    {
        var targets = new List<RouteTarget>(modelOverride.Targets.Count);
        foreach (var target in modelOverride.Targets)
        {
            if (!_providers.TryGet(target.Provider, out var provider))
            {
                LogUnknownProvider(_logger, modelOverride.Key, target.Provider);
                continue;
            }

            targets.Add(new RouteTarget(provider, target.Model ?? modelOverride.Key, target.Weight ?? provider.Options.Weight, target.Channel));
        }

        return targets;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Override {Model} names unknown provider {Provider}; that target is ignored")]
    private static partial void LogUnknownProvider(ILogger logger, string model, string provider);
}
