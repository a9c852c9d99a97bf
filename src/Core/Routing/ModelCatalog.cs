using Gateway.Configuration;
using Gateway.Providers;

namespace Gateway.Routing;

/// <summary>
/// Public model ids and their targets: configured <c>Models</c> first; any other id goes to every
/// provider that lists (statically) or reported that id (SPEC §3).
/// </summary>
internal sealed class ModelCatalog
{
    private readonly Dictionary<string, IReadOnlyList<RouteTarget>> _configured = new(StringComparer.Ordinal);
    private readonly List<string> _configuredOrder = [];
    private readonly ProviderRegistry _providers;
    private readonly ProviderModelCache _lists;
    private readonly State.StateSnapshots _snapshots;

    public ModelCatalog(GatewayOptions options, ProviderRegistry providers, ProviderModelCache lists, State.StateSnapshots snapshots)
    {
        _providers = providers;
        _lists = lists;
        _snapshots = snapshots;
        foreach (var model in options.Models)
        {
            var targets = new List<RouteTarget>(model.Targets.Count);
            foreach (var target in model.Targets)
            {
                var provider = providers[target.Provider!];
                targets.Add(new RouteTarget(provider, target.Model ?? model.Id!, target.Weight ?? provider.Options.Weight, target.Channel));
            }

            _configured[model.Id!] = targets;
            _configuredOrder.Add(model.Id!);
        }
    }

    /// <summary>
    /// Targets for <paramref name="model"/>, in configuration order; empty when nothing serves it. Admin
    /// overrides win over configuration, which wins over provider lists.
    /// </summary>
    public async ValueTask<IReadOnlyList<RouteTarget>> ResolveAsync(string model, CancellationToken cancellationToken)
    {
        if (_snapshots.Overrides.TryGetValue(model, out var overridden))
        {
            return overridden;
        }

        if (_configured.TryGetValue(model, out var configured))
        {
            return configured;
        }

        List<RouteTarget>? targets = null;
        foreach (var provider in _providers.All)
        {
            var models = await _lists.GetAsync(provider, cancellationToken);
            foreach (var listed in models)
            {
                if (listed.Id == model)
                {
                    (targets ??= []).Add(new RouteTarget(provider, model, provider.Options.Weight, null));
                    break;
                }
            }
        }

        return targets ?? (IReadOnlyList<RouteTarget>)[];
    }

    /// <summary>Where <paramref name="model"/>'s targets come from: <c>override</c>, <c>configuration</c> or <c>provider_lists</c>.</summary>
    public string SourceOf(string model) =>
        _snapshots.Overrides.ContainsKey(model) ? "override" : _configured.ContainsKey(model) ? "configuration" : "provider_lists";

    /// <summary>Every public id with its <c>owned_by</c>: overrides, configured ids, then provider lists (deduplicated).</summary>
    public async ValueTask<IReadOnlyList<UpstreamModel>> ListAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<UpstreamModel>();
        foreach (var (id, targets) in _snapshots.Overrides)
        {
            if (seen.Add(id))
            {
                result.Add(new UpstreamModel(id, targets[0].Provider.Id));
            }
        }

        foreach (var id in _configuredOrder)
        {
            if (seen.Add(id))
            {
                result.Add(new UpstreamModel(id, _configured[id][0].Provider.Id));
            }
        }

        foreach (var provider in _providers.All)
        {
            foreach (var model in await _lists.GetAsync(provider, cancellationToken))
            {
                if (seen.Add(model.Id))
                {
                    result.Add(model);
                }
            }
        }

        return result;
    }
}
