using Gateway.Providers;
using Gateway.Routing;

namespace Gateway.State;

/// <summary>
/// The model-list job (both hosts run it: the Server on its cron schedule, Functions from a timer, and
/// <c>POST /manage/models/refresh</c> on demand): fetch each provider's <c>ModelsPath</c> list (static
/// lists need no fetch), write the cache, and sweep expired sessions, affinity and tokens. A provider
/// whose fetch fails keeps its last good list.
/// </summary>
internal sealed class ModelRefreshJob
{
    private readonly ProviderRegistry _providers;
    private readonly ProviderModelCache _lists;
    private readonly StateStores _stores;
    private readonly TimeProvider _time;

    public ModelRefreshJob(ProviderRegistry providers, ProviderModelCache lists, StateStores stores, TimeProvider time)
    {
        _providers = providers;
        _lists = lists;
        _stores = stores;
        _time = time;
    }

    public async Task<ModelRefreshReport> RunAsync(CancellationToken cancellationToken)
    {
        var providers = new Dictionary<string, ProviderRefresh>(StringComparer.Ordinal);
        foreach (var provider in _providers.All)
        {
            if (provider.ModelsUri is null)
            {
                continue;
            }

            var list = await _lists.FetchAsync(provider, cancellationToken);
            if (list is null)
            {
                providers[provider.Id] = new ProviderRefresh(false, _lists.Peek(provider)?.Count ?? 0);
                continue;
            }

            await _stores.ModelLists.SaveAsync(list, cancellationToken);
            providers[provider.Id] = new ProviderRefresh(true, list.Models.Count);
        }

        var now = _time.GetUtcNow();
        var swept = new SweepCounts(
            await _stores.Sessions.SweepExpiredAsync(now, cancellationToken),
            await _stores.Affinity.SweepExpiredAsync(now, cancellationToken),
            await _stores.Tokens.SweepExpiredAsync(now, cancellationToken));
        return new ModelRefreshReport(providers, swept);
    }
}
