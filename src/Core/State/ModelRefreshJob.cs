using Gateway.Providers;
using Gateway.Routing;
using Microsoft.Extensions.Logging;

namespace Gateway.State;

/// <summary>
/// The model-list job (both hosts run it: the Server on its cron schedule, Functions from a timer, and
/// <c>POST /manage/models/refresh</c> on demand): fetch each provider's <c>ModelsPath</c> list (static
/// lists need no fetch), write the cache, and sweep expired sessions, affinity, tokens and remembered thinking. A provider
/// whose fetch fails keeps its last good list.
/// </summary>
internal sealed partial class ModelRefreshJob
{
    private readonly ProviderRegistry _providers;
    private readonly ProviderModelCache _lists;
    private readonly StateStores _stores;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelRefreshJob> _logger;

    public ModelRefreshJob(ProviderRegistry providers, ProviderModelCache lists, StateStores stores, TimeProvider time, ILogger<ModelRefreshJob> logger)
    {
        _logger = logger;
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
            if (list is not null)
            {
                // One provider's failed write (another instance replacing the same rows, say) must not stop
                // the others: the list is already in use here and the next run writes it again.
                await Attempt("save " + provider.Id, () => _stores.ModelLists.SaveAsync(list, cancellationToken).AsTask(), cancellationToken);
            }

            providers[provider.Id] = new ProviderRefresh(list is not null, (list?.Models ?? _lists.Peek(provider))?.Count ?? 0);
        }

        var now = _time.GetUtcNow();
        var swept = new SweepCounts(
            await Attempt("sweep sessions", () => _stores.Sessions.SweepExpiredAsync(now, cancellationToken).AsTask(), cancellationToken),
            await Attempt("sweep affinity", () => _stores.Affinity.SweepExpiredAsync(now, cancellationToken).AsTask(), cancellationToken),
            await Attempt("sweep tokens", () => _stores.Tokens.SweepExpiredAsync(now, cancellationToken).AsTask(), cancellationToken),
            await Attempt("sweep thinking", () => _stores.Thinking.SweepExpiredAsync(now, cancellationToken).AsTask(), cancellationToken),
            await Attempt("sweep responses", () => _stores.Responses.SweepExpiredAsync(now, cancellationToken).AsTask(), cancellationToken));
        return new ModelRefreshReport(providers, swept);
    }

    private async Task Attempt(string step, Func<Task> run, CancellationToken cancellationToken) =>
        await Attempt(step, async () =>
        {
            await run();
            return 0;
        }, cancellationToken);

    private async Task<int> Attempt(string step, Func<Task<int>> run, CancellationToken cancellationToken)
    {
        try
        {
            return await run();
        }
        catch (Azure.RequestFailedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogStepFailed(_logger, step, ex.Status, ex.ErrorCode);
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "model_refresh step {Step} failed: HTTP {Status} {Code}; the next run tries again")]
    private static partial void LogStepFailed(ILogger logger, string step, int status, string? code);
}
