using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Endpoints;
using Gateway.Providers;
using Gateway.State;
using Microsoft.AspNetCore.Http;

namespace Gateway.Admin;

/// <summary>
/// <c>GET/PUT /manage/overrides</c>: the alias → targets document. A PUT is checked like configuration
/// (<see cref="OverrideDocument"/>), replaces the stored document as one write (<see cref="OverrideDocumentStore"/>),
/// and applies to this instance at once; other instances pick it up within <c>ReloadSeconds</c>. While the
/// store is degraded a PUT answers 503 and changes nothing.
/// </summary>
internal sealed class OverridesEndpoint
{
    private readonly OverrideDocumentStore _store;
    private readonly StateSnapshots _snapshots;
    private readonly ProviderRegistry _providers;
    private readonly StateHealth _health;
    private readonly AdminAudit _audit;
    private readonly TimeProvider _time;
    private readonly long _maxBody;

    public OverridesEndpoint(OverrideDocumentStore store, StateSnapshots snapshots, ProviderRegistry providers, StateHealth health, AdminAudit audit, TimeProvider time, GatewayOptions options)
    {
        _store = store;
        _snapshots = snapshots;
        _providers = providers;
        _health = health;
        _audit = audit;
        _time = time;
        _maxBody = Math.Min(options.Limits.MaxRequestBytes, 1024 * 1024);
    }

    public Task HandleAsync(RequestExchange exchange) =>
        HttpMethods.IsPut(exchange.Http.Request.Method) ? PutAsync(exchange) : GetAsync(exchange);

    private async Task GetAsync(RequestExchange exchange)
    {
        var overrides = await _store.ReadAsync(exchange.Aborted);
        await WriteAsync(exchange, 200, overrides);
    }

    private async Task PutAsync(RequestExchange exchange)
    {
        var (body, tooLarge) = await RequestBody.ReadAsync(exchange.Http.Request, _maxBody);
        if (tooLarge is not null)
        {
            await exchange.WriteErrorAsync(tooLarge);
            return;
        }

        if (OverrideDocument.TryRead(body, _providers, _time.GetUtcNow(), out var param, out var problem) is not { } next)
        {
            await exchange.WriteErrorAsync(GatewayError.InvalidRequest("invalid_request", problem!, param));
            return;
        }

        var previous = await _store.ReadAsync(exchange.Aborted);
        switch (await _store.ReplaceAsync(next, exchange.Aborted))
        {
            case ReplaceResult.Unavailable:
                await exchange.WriteErrorAsync(new GatewayError(503, "server_error", "state_unavailable",
                    $"The state store is unavailable ({_health.Reason ?? "degraded"}); the overrides were not changed. Retry when /health is ok.")
                {
                    EndReason = "overloaded",
                    RetryAfterSeconds = 5,
                });
                return;
            case ReplaceResult.TooLarge:
                await exchange.WriteErrorAsync(GatewayError.InvalidRequest("invalid_request",
                    $"Too many changes at once (more than {OverrideDocumentStore.MaxOperations} aliases added, changed or removed); split the change.", "overrides"));
                return;
        }

        // This instance routes by the new document now; others re-read within ReloadSeconds.
        await _snapshots.ReloadAsync(exchange.Aborted);
        _audit.Changed(exchange.Http.Request, "overrides_replaced", "overrides", Describe(previous, next));
        await WriteAsync(exchange, 200, next);
    }

    private async Task WriteAsync(RequestExchange exchange, int status, IReadOnlyList<ModelOverride> overrides) =>
        await JsonResponse.WriteAsync(exchange, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("store", _store.Kind);
            writer.WriteBoolean("degraded", _health.IsDegraded);
            writer.WriteStartObject("overrides");
            foreach (var modelOverride in overrides.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject(modelOverride.Key);
                writer.WriteStartArray("targets");
                foreach (var target in modelOverride.Targets)
                {
                    WriteTarget(writer, target);
                }

                writer.WriteEndArray();
                writer.WriteString("updated_at", modelOverride.UpdatedAt);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    private static void WriteTarget(Utf8JsonWriter writer, OverrideTarget target)
    {
        writer.WriteStartObject();
        writer.WriteString("provider", target.Provider);
        if (target.Model is { } model)
        {
            writer.WriteString("model", model);
        }

        if (target.Weight is { } weight)
        {
            writer.WriteNumber("weight", weight);
        }

        if (target.Channel is { } channel)
        {
            writer.WriteString("channel", channel);
        }

        writer.WriteEndObject();
    }

    // "set a,b; removed c" — aliases only (no targets: the full document is one GET away).
    private static string Describe(IReadOnlyList<ModelOverride> previous, IReadOnlyList<ModelOverride> next)
    {
        var removed = previous.Select(o => o.Key).Except(next.Select(o => o.Key), StringComparer.Ordinal).ToList();
        var set = string.Join(",", next.Select(o => o.Key));
        return $"set [{set}] removed [{string.Join(",", removed)}]";
    }
}
