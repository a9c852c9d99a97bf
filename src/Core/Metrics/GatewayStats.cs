using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Gateway.Metrics;

/// <summary>
/// The counters behind <c>GET /manage/stats</c>: a <see cref="MeterListener"/> on this gateway's own meter
/// that sums the same measurements the exporters see, per label value. Functions has no <c>/metrics</c>,
/// so the admin page reads these on both hosts. Each label dimension is summed on its own (requests by
/// end reason, by provider, …), not as a cross product: a page shows marginals, Prometheus has the rest.
/// Per measurement: a dictionary lookup on an existing key and an interlocked add, no allocation.
/// </summary>
internal sealed class GatewayStats : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Meter _meter;
    private readonly StrongBox<long> _requestsTotal = new();

    public GatewayStats(GatewayMetrics metrics, TimeProvider time, bool enabled = true)
    {
        _meter = metrics.Meter;
        Since = time.GetUtcNow();
        Enabled = enabled;
        if (!enabled)
        {
            return;
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter) && instrument.Name is GatewayMetrics.Requests or GatewayMetrics.UpstreamAttempts
                or GatewayMetrics.Failovers or GatewayMetrics.TokenUsage or GatewayMetrics.Streams or GatewayMetrics.ToolLoopReplies)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((GatewayStats)state!).On(instrument.Name, value, tags));
        _listener.Start();
    }

    /// <summary>False when <c>Telemetry:Enabled</c> is off: nothing is counted.</summary>
    public bool Enabled { get; }

    /// <summary>When counting started (this instance's start).</summary>
    public DateTimeOffset Since { get; }

    public long RequestsTotal => Interlocked.Read(ref _requestsTotal.Value);

    /// <summary>Requests by label (<see cref="GatewayMetrics.EndReasonTag"/>, provider, model, …) and value.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, StrongBox<long>>> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>Upstream attempts by outcome.</summary>
    public ConcurrentDictionary<string, StrongBox<long>> Attempts { get; } = new(StringComparer.Ordinal);

    /// <summary>Failovers by reason.</summary>
    public ConcurrentDictionary<string, StrongBox<long>> Failovers { get; } = new(StringComparer.Ordinal);

    /// <summary>Streams by how they ended (<c>done</c>, <c>interrupted</c>).</summary>
    public ConcurrentDictionary<string, StrongBox<long>> Streams { get; } = new(StringComparer.Ordinal);

    /// <summary>Tool-loop replies by outcome (<c>tool_calls</c>, <c>text</c>, <c>rejected</c>).</summary>
    public ConcurrentDictionary<string, StrongBox<long>> ToolLoop { get; } = new(StringComparer.Ordinal);

    /// <summary>Token sums by "type/source" (<c>input/reported</c>, <c>output/estimated</c>, …).</summary>
    public ConcurrentDictionary<string, StrongBox<long>> Tokens { get; } = new(StringComparer.Ordinal);

    public void Dispose() => _listener.Dispose();

    private void On(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (instrument)
        {
            case GatewayMetrics.Requests:
                Interlocked.Add(ref _requestsTotal.Value, value);
                foreach (var (key, tag) in tags)
                {
                    if (tag is string text)
                    {
                        Add(Requests.GetOrAdd(key, static _ => new ConcurrentDictionary<string, StrongBox<long>>(StringComparer.Ordinal)), text, value);
                    }
                }

                break;
            case GatewayMetrics.UpstreamAttempts:
                Add(Attempts, Find(tags, GatewayMetrics.OutcomeTag), value);
                break;
            case GatewayMetrics.Failovers:
                Add(Failovers, Find(tags, GatewayMetrics.ReasonTag), value);
                break;
            case GatewayMetrics.Streams:
                Add(Streams, Find(tags, GatewayMetrics.StreamEndTag), value);
                break;
            case GatewayMetrics.ToolLoopReplies:
                Add(ToolLoop, Find(tags, GatewayMetrics.OutcomeTag), value);
                break;
            case GatewayMetrics.TokenUsage:
                Add(Tokens, Find(tags, GatewayMetrics.TokenTypeTag) == "input"
                    ? Find(tags, GatewayMetrics.UsageSourceTag) == "estimated" ? "input/estimated" : "input/reported"
                    : Find(tags, GatewayMetrics.UsageSourceTag) == "estimated" ? "output/estimated" : "output/reported", value);
                break;
        }
    }

    private static void Add(ConcurrentDictionary<string, StrongBox<long>> counts, string key, long value) =>
        Interlocked.Add(ref counts.GetOrAdd(key, static _ => new StrongBox<long>()).Value, value);

    private static string Find(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var (key, value) in tags)
        {
            if (key == name)
            {
                return value as string ?? "-";
            }
        }

        return "-";
    }
}
