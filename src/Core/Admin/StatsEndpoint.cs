using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Endpoints;
using Gateway.Metrics;
using Gateway.Providers;
using Gateway.State;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /manage/stats</c>: this instance's counters as JSON (the same measurements <c>/metrics</c>
/// exports), for the admin page and for Functions, which has no <c>/metrics</c>. Per instance: on Functions
/// each instance counts its own requests.
/// </summary>
internal sealed class StatsEndpoint
{
    private readonly GatewayStats _stats;
    private readonly ProviderRegistry _providers;
    private readonly StateHealth _state;
    private readonly TimeProvider _time;

    public StatsEndpoint(GatewayStats stats, ProviderRegistry providers, StateHealth state, TimeProvider time)
    {
        _stats = stats;
        _providers = providers;
        _state = state;
        _time = time;
    }

    public Task HandleAsync(RequestExchange exchange) => JsonResponse.WriteAsync(exchange, 200, writer =>
    {
        writer.WriteStartObject();
        writer.WriteBoolean("enabled", _stats.Enabled);
        writer.WriteString("since", _stats.Since);
        writer.WriteNumber("uptime_seconds", Math.Round((_time.GetUtcNow() - _stats.Since).TotalSeconds));
        writer.WriteStartObject("requests");
        writer.WriteNumber("total", _stats.RequestsTotal);
        WriteDimension(writer, "by_end_reason", GatewayMetrics.EndReasonTag);
        WriteDimension(writer, "by_status_class", GatewayMetrics.StatusClassTag);
        WriteDimension(writer, "by_route", GatewayMetrics.RouteTag);
        WriteDimension(writer, "by_provider", GatewayMetrics.ProviderTag);
        WriteDimension(writer, "by_model", GatewayMetrics.ModelTag);
        WriteDimension(writer, "by_client", GatewayMetrics.ClientTag);
        writer.WriteEndObject();
        writer.WriteStartObject("upstream");
        WriteCounts(writer, "attempts", _stats.Attempts);
        WriteCounts(writer, "failovers", _stats.Failovers);
        writer.WriteEndObject();
        WriteCounts(writer, "streams", _stats.Streams);
        WriteCounts(writer, "tokens", _stats.Tokens);
        WriteCounts(writer, "tool_loop", _stats.ToolLoop);
        writer.WriteStartObject("state");
        writer.WriteBoolean("degraded", _state.IsDegraded);
        if (_state.Reason is { } reason)
        {
            writer.WriteString("reason", reason);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("in_flight");
        foreach (var provider in _providers.All)
        {
            writer.WriteNumber(provider.Id, provider.Concurrency.InFlight);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private void WriteDimension(Utf8JsonWriter writer, string name, string tag)
    {
        if (_stats.Requests.TryGetValue(tag, out var counts))
        {
            WriteCounts(writer, name, counts);
        }
        else
        {
            writer.WriteStartObject(name);
            writer.WriteEndObject();
        }
    }

    private static void WriteCounts(Utf8JsonWriter writer, string name, ConcurrentDictionary<string, StrongBox<long>> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, count) in counts.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(key, Interlocked.Read(ref count.Value));
        }

        writer.WriteEndObject();
    }
}
