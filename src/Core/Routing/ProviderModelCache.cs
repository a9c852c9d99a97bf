using System.Collections.Concurrent;
using System.Text.Json;
using Gateway.Providers;
using Gateway.State;
using Microsoft.Extensions.Logging;

namespace Gateway.Routing;

/// <summary>
/// This instance's copy of each provider's model list: the static <c>Models</c>, or the list fetched from
/// <c>ModelsPath</c> by the refresh job (or read from the shared cache written by another instance). A
/// provider with no list yet is fetched on first use; a failed fetch keeps the last good list and is not
/// retried for a short while, so an unknown model id cannot make every request call the upstream.
/// </summary>
internal sealed partial class ProviderModelCache
{
    private static readonly TimeSpan RetryFailedAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);
    private const int MaxPages = 20;

    private readonly UpstreamSender _sender;
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderModelCache> _logger;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IReadOnlyList<UpstreamModel>> _static = new(StringComparer.OrdinalIgnoreCase);

    public ProviderModelCache(UpstreamSender sender, TimeProvider time, ILogger<ProviderModelCache> logger)
    {
        _sender = sender;
        _time = time;
        _logger = logger;
    }

    /// <summary>The provider's models: its static list, or the cached list (fetched now if there is none yet).</summary>
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
        if (entry.Models is { } models)
        {
            return models;
        }

        if (_time.GetUtcNow() - entry.FailedAt < RetryFailedAfter)
        {
            return [];
        }

        await FetchAsync(provider, cancellationToken);
        return entry.Models ?? [];
    }

    /// <summary>The cached list without fetching (null when there is none).</summary>
    public IReadOnlyList<UpstreamModel>? Peek(Provider provider) =>
        _entries.TryGetValue(provider.Id, out var entry) ? entry.Models : null;

    /// <summary>The cached list and when it was fetched, without fetching (null models when there is none yet).</summary>
    public (IReadOnlyList<UpstreamModel>? Models, DateTimeOffset? FetchedAt) PeekWithTime(Provider provider) =>
        _entries.TryGetValue(provider.Id, out var entry) && entry.Models is { } models ? (models, entry.FetchedAt) : (null, null);

    /// <summary>Takes a list (from a fetch or from the shared cache) if it is newer than the one held.</summary>
    public void Apply(ModelListRecord list)
    {
        var entry = _entries.GetOrAdd(list.Provider, _ => new Entry());
        lock (entry)
        {
            if (entry.Models is null || list.FetchedAt > entry.FetchedAt)
            {
                entry.Models = list.Models;
                entry.FetchedAt = list.FetchedAt;
            }
        }
    }

    /// <summary>
    /// Fetches the provider's list from its <c>ModelsPath</c> and takes it; null when that fails (the last
    /// good list stays). Concurrent callers for one provider share one fetch.
    /// </summary>
    public async Task<ModelListRecord?> FetchAsync(Provider provider, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(provider.Id, _ => new Entry());
        TaskCompletionSource<ModelListRecord?>? mine = null;
        Task<ModelListRecord?> fetch;
        lock (entry)
        {
            if (entry.Pending is null)
            {
                mine = new TaskCompletionSource<ModelListRecord?>(TaskCreationOptions.RunContinuationsAsynchronously);
                entry.Pending = mine.Task;
            }

            fetch = entry.Pending;
        }

        if (mine is not null)
        {
            // The caller that started the fetch finishes it: the shared task is withdrawn before its result
            // is published, so a later caller never joins a fetch that is already over.
            ModelListRecord? result = null;
            try
            {
                result = await FetchOnceAsync(provider, entry);
            }
            finally
            {
                lock (entry)
                {
                    entry.Pending = null;
                }

                mine.SetResult(result);
            }
        }

        return await fetch.WaitAsync(cancellationToken);
    }

    private async Task<ModelListRecord?> FetchOnceAsync(Provider provider, Entry entry)
    {
        try
        {
            using var timeout = new CancellationTokenSource(FetchTimeout, _time);
            var call = new UpstreamCallContext(Guid.NewGuid().ToString("N"), Diagnostics.GatewayTracing.NewTraceParent(), null);
            var models = new List<UpstreamModel>();
            string? after = null;
            for (var page = 0; page < MaxPages; page++)
            {
                using var response = await _sender.SendModelsAsync(provider, PageUri(provider, after), call, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    LogFetchFailed(_logger, provider.Id, $"HTTP {(int)response.StatusCode}");
                    entry.FailedAt = _time.GetUtcNow();
                    return null;
                }

                var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                var (pageModels, next) = provider.Kind == Configuration.ProviderKind.Gemini
                    ? Protocols.Gemini.GeminiModelList.Parse(body, provider.Id)
                    : (Parse(body, provider.Id), null);
                if (pageModels is null)
                {
                    models.Clear();
                    break;
                }

                models.AddRange(pageModels);

                // Anthropic pages its list: has_more with last_id as the next after_id; Gemini with nextPageToken.
                after = provider.Kind switch
                {
                    Configuration.ProviderKind.Anthropic => NextPage(body),
                    Configuration.ProviderKind.Gemini => next,
                    _ => null,
                };
                if (after is null)
                {
                    break;
                }
            }

            if (models.Count == 0)
            {
                // A 200 that carries an error ({"success":false,…}) or nothing is no reason to drop a good list.
                LogFetchFailed(_logger, provider.Id, "the answer holds no model list");
                entry.FailedAt = _time.GetUtcNow();
                return null;
            }

            // Taken before the fetch is marked finished, so no caller can see neither a list nor a fetch.
            var list = new ModelListRecord(provider.Id, models, _time.GetUtcNow());
            Apply(list);
            return list;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or UpstreamTokenException)
        {
            LogFetchFailed(_logger, provider.Id, ex.GetType().Name);
            entry.FailedAt = _time.GetUtcNow();
            return null;
        }
    }

    private static Uri PageUri(Provider provider, string? after)
    {
        var uri = provider.ModelsUri!;
        if (provider.Kind == Configuration.ProviderKind.Gemini)
        {
            return Protocols.Gemini.GeminiModelList.PageUri(uri, after);
        }

        if (provider.Kind != Configuration.ProviderKind.Anthropic)
        {
            return uri;
        }

        var separator = string.IsNullOrEmpty(uri.Query) ? "?" : "&";
        return new Uri(uri.AbsoluteUri + separator + "limit=1000" + (after is null ? string.Empty : "&after_id=" + Uri.EscapeDataString(after)));
    }

    /// <summary>The <c>last_id</c> of a page whose <c>has_more</c> is true; null otherwise.</summary>
    internal static string? NextPage(ReadOnlySpan<byte> body)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        return root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True
            && root.TryGetProperty("last_id", out var last) && last.ValueKind == JsonValueKind.String
            ? last.GetString()
            : null;
    }

    /// <summary>Reads <c>{"data":[{"id","owned_by"}]}</c>, a bare array, or <c>{"models":[…]}</c>; null for anything else.</summary>
    internal static List<UpstreamModel>? Parse(ReadOnlySpan<byte> body, string providerId)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        var list = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array ? data
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("models", out var m) && m.ValueKind == JsonValueKind.Array ? m
            : default;
        if (list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var models = new List<UpstreamModel>();

        foreach (var item in list.EnumerateArray())
        {
            var id = item.ValueKind == JsonValueKind.String ? item.GetString()
                : item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()
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

        public Task<ModelListRecord?>? Pending { get; set; }
    }
}
