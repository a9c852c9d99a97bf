using System.Collections.Concurrent;
using System.Text.Json;
using Gateway.Providers;
using Microsoft.Extensions.Logging;

namespace Gateway.Routing;

/// <summary>
/// Model lists of providers without a static <c>Models</c> list, fetched from their <c>ModelsPath</c> and
/// kept in memory. A failed fetch keeps the last good list and is not retried for a short while,
/// so an unknown model id cannot make every request call the upstream's model list.
/// </summary>
internal sealed partial class ProviderModelCache
{
    private static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RetryFailedAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderModelCache> _logger;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IReadOnlyList<UpstreamModel>> _static = new(StringComparer.OrdinalIgnoreCase);

    public ProviderModelCache(IHttpClientFactory clients, TimeProvider time, ILogger<ProviderModelCache> logger)
    {
        _clients = clients;
        _time = time;
        _logger = logger;
    }

    /// <summary>The provider's models: its static list, or the cached (refreshed when stale) fetched list.</summary>
    public async ValueTask<IReadOnlyList<UpstreamModel>> GetAsync(Provider provider, CancellationToken cancellationToken)
    {
        if (provider.Options.Models is { } configured)
        {
            return _static.GetOrAdd(provider.Id, _ => [.. configured.Select(id => new UpstreamModel(id, provider.Id))]);
        }

        if (provider.ModelsUri is null)
        {
            return [];
        }

        var entry = _entries.GetOrAdd(provider.Id, _ => new Entry());
        var now = _time.GetUtcNow();
        if (entry.Models is { } models && now - entry.FetchedAt < FreshFor)
        {
            return models;
        }

        if (entry.Models is null && now - entry.FailedAt < RetryFailedAfter)
        {
            return [];
        }

        Task<IReadOnlyList<UpstreamModel>?> fetch;
        lock (entry)
        {
            entry.Pending ??= FetchAsync(provider, entry);
            fetch = entry.Pending;
        }

        return await fetch.WaitAsync(cancellationToken) ?? entry.Models ?? [];
    }

    private async Task<IReadOnlyList<UpstreamModel>?> FetchAsync(Provider provider, Entry entry)
    {
        try
        {
            using var timeout = new CancellationTokenSource(FetchTimeout, _time);
            using var request = UpstreamRequestFactory.CreateModels(provider, new UpstreamCallContext(Guid.NewGuid().ToString("N"), Diagnostics.TraceContext.NewRoot().ToTraceParent(), null));
            using var response = await _clients.CreateClient(provider.HttpClientName).SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogFetchFailed(_logger, provider.Id, $"HTTP {(int)response.StatusCode}");
                entry.FailedAt = _time.GetUtcNow();
                return null;
            }

            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var models = Parse(body, provider.Id);
            entry.Models = models;
            entry.FetchedAt = _time.GetUtcNow();
            return models;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            LogFetchFailed(_logger, provider.Id, ex.GetType().Name);
            entry.FailedAt = _time.GetUtcNow();
            return null;
        }
        finally
        {
            lock (entry)
            {
                entry.Pending = null;
            }
        }
    }

    /// <summary>Reads <c>{"data":[{"id","owned_by"}]}</c>, a bare array, or <c>{"models":[…]}</c>.</summary>
    internal static List<UpstreamModel> Parse(ReadOnlySpan<byte> body, string providerId)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        var list = root.ValueKind == JsonValueKind.Array ? root
            : root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array ? data
            : root.TryGetProperty("models", out var m) && m.ValueKind == JsonValueKind.Array ? m
            : default;
        var models = new List<UpstreamModel>();
        if (list.ValueKind != JsonValueKind.Array)
        {
            return models;
        }

        foreach (var item in list.EnumerateArray())
        {
            var id = item.ValueKind == JsonValueKind.String ? item.GetString()
                : item.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()
                : null;
            if (string.IsNullOrEmpty(id))
            {
                continue;
            }

            var ownedBy = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("owned_by", out var owner) && owner.ValueKind == JsonValueKind.String
                ? owner.GetString()!
                : providerId;
            models.Add(new UpstreamModel(id, ownedBy));
        }

        return models;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model list fetch for provider {Provider} failed: {Reason}; keeping the last good list")]
    private static partial void LogFetchFailed(ILogger logger, string provider, string reason);

    private sealed class Entry
    {
        public IReadOnlyList<UpstreamModel>? Models { get; set; }

        public DateTimeOffset FetchedAt { get; set; }

        public DateTimeOffset FailedAt { get; set; } = DateTimeOffset.MinValue;

        public Task<IReadOnlyList<UpstreamModel>?>? Pending { get; set; }
    }
}
