using System.Text.Json;
using Gateway.Endpoints;
using Gateway.Providers;
using Gateway.Routing;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /manage/providers</c>: each provider's id, kind, base URL, models (static, or cached with when they
/// were fetched), per-target circuit and cooldown, and in-flight count. Secrets are masked everywhere: keys,
/// header values, token request bodies, proxy credentials, and user info or query values in URLs.
/// </summary>
internal sealed class ProvidersEndpoint
{
    private readonly ProviderRegistry _providers;
    private readonly ProviderModelCache _lists;
    private readonly TargetHealth _health;
    private readonly ModelCatalog _catalog;

    public ProvidersEndpoint(ProviderRegistry providers, ProviderModelCache lists, TargetHealth health, ModelCatalog catalog)
    {
        _catalog = catalog;
        _providers = providers;
        _lists = lists;
        _health = health;
    }

    public async Task HandleAsync(RequestExchange exchange)
    {
        var health = _health.Snapshot();
        var models = new List<(string Id, string Source, IReadOnlyList<RouteTarget> Targets)>();
        foreach (var model in await _catalog.ListAsync(exchange.Aborted))
        {
            models.Add((model.Id, _catalog.SourceOf(model.Id), await _catalog.ResolveAsync(model.Id, exchange.Aborted)));
        }

        await JsonResponse.WriteAsync(exchange, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("providers");
            foreach (var provider in _providers.All)
            {
                WriteProvider(writer, provider, health);
            }

            writer.WriteEndArray();

            // Every public id (overrides, configuration, provider lists) with where its targets come from.
            writer.WriteStartArray("models");
            foreach (var (id, source, targets) in models)
            {
                writer.WriteStartObject();
                writer.WriteString("id", id);
                writer.WriteString("source", source);
                writer.WriteStartArray("targets");
                foreach (var target in targets)
                {
                    writer.WriteStartObject();
                    writer.WriteString("provider", target.Provider.Id);
                    writer.WriteString("model", target.Model);
                    writer.WriteNumber("weight", target.Weight);
                    if (target.Channel is { } channel)
                    {
                        writer.WriteString("channel", channel);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private void WriteProvider(Utf8JsonWriter writer, Provider provider, IReadOnlyList<(string Key, string Circuit, double CooldownSeconds)> health)
    {
        var options = provider.Options;
        writer.WriteStartObject();
        writer.WriteString("id", provider.Id);
        writer.WriteString("kind", options.Kind.ToString());
        writer.WriteString("base_url", SecretMask.Url(options.BaseUrl));
        writer.WriteString("chat_url", SecretMask.Url(provider.ChatUri.ToString()));
        writer.WriteString("api_key", SecretMask.Value(options.ApiKey));
        writer.WriteString("upstream_auth", provider.AuthMode.ToString());
        if (options.UpstreamAuth.TokenUrl is { } tokenUrl)
        {
            writer.WriteString("token_url", SecretMask.Url(tokenUrl));
        }

        if (options.Proxy is { } proxy)
        {
            writer.WriteString("proxy", ProviderProxy.Mask(proxy));
        }

        writer.WriteStartObject("headers");
        foreach (var name in options.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase))
        {
            writer.WriteString(name, SecretMask.Masked);
        }

        writer.WriteEndObject();
        writer.WriteNumber("weight", options.Weight);
        writer.WriteNumber("max_concurrency", options.MaxConcurrency);
        writer.WriteNumber("in_flight", provider.Concurrency.InFlight);

        writer.WriteStartObject("models");
        if (options.Models is { } configured)
        {
            writer.WriteString("source", "static");
            WriteIds(writer, configured);
        }
        else
        {
            var (cached, fetchedAt) = _lists.PeekWithTime(provider);
            writer.WriteString("source", provider.ModelsUri is null ? "none" : "cached");
            if (fetchedAt is { } at)
            {
                writer.WriteString("fetched_at", at);
            }

            WriteIds(writer, cached?.Select(m => m.Id) ?? []);
        }

        writer.WriteEndObject();

        writer.WriteStartArray("targets");
        var prefix = provider.Id + "/";
        foreach (var (key, circuit, cooldown) in health)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("model", key[prefix.Length..]);
                writer.WriteString("circuit", circuit);
                writer.WriteNumber("cooldown_seconds", cooldown);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteIds(Utf8JsonWriter writer, IEnumerable<string> ids)
    {
        writer.WriteStartArray("ids");
        foreach (var id in ids)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
    }
}
