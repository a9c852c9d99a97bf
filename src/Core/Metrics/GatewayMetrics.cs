using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Diagnostics;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.State;
using Gateway.Tools;

namespace Gateway.Metrics;

/// <summary>
/// The gateway's instruments, on one <see cref="Meter"/> (SPEC §5 Observability). Names and attributes
/// follow the OpenTelemetry GenAI conventions where one exists (<c>gen_ai.server.request.duration</c>,
/// <c>gen_ai.server.time_to_first_token</c>, <c>gen_ai.client.token.usage</c>, <c>gen_ai.request.model</c>,
/// <c>gen_ai.token.type</c>); the rest are <c>gateway.*</c>. Every label value is bounded: routes, end
/// reasons, client kinds and failure kinds are fixed sets, providers come from configuration, and the
/// model label is the requested id only when it resolved to targets (configured, overridden or listed
/// by a provider), otherwise <c>other</c>. Recording allocates nothing: tag values are strings the
/// request already holds, passed in a stack <see cref="TagList"/>.
/// </summary>
internal sealed class GatewayMetrics : IDisposable
{
    /// <summary>Name of the gateway's meter (what an exporter subscribes to).</summary>
    public const string MeterName = "Gateway";

    /// <summary>Model label for ids that resolved to no target (unbounded client input).</summary>
    public const string OtherModel = "other";

    public const string Requests = "gateway.requests";
    public const string RequestDuration = "gen_ai.server.request.duration";
    public const string TimeToFirstToken = "gen_ai.server.time_to_first_token";
    public const string UpstreamAttempts = "gateway.upstream.attempts";
    public const string Failovers = "gateway.upstream.failovers";
    public const string TokenUsage = "gen_ai.client.token.usage";
    public const string Streams = "gateway.streams";
    public const string StateDegraded = "gateway.state.degraded";
    public const string StateCallDuration = "gateway.state.call.duration";
    public const string ProviderInFlight = "gateway.provider.in_flight";
    public const string ToolLoopReplies = "gateway.tool_loop.replies";

    public const string RouteTag = "gateway.route";
    public const string EndReasonTag = "gateway.end_reason";
    public const string ProviderTag = "gateway.provider";
    public const string ModelTag = "gen_ai.request.model";
    public const string ClientTag = "gateway.client";
    public const string StatusClassTag = "gateway.status_class";
    public const string OutcomeTag = "gateway.outcome";
    public const string ReasonTag = "gateway.reason";
    public const string TokenTypeTag = "gen_ai.token.type";
    public const string UsageSourceTag = "gateway.usage_source";
    public const string StreamEndTag = "gateway.stream_end";

    /// <summary>Seconds: 0.5 ms to 10 minutes, so both the gateway's own sub-millisecond overhead and long streams resolve.</summary>
    public static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

    /// <summary>Token counts: the GenAI conventions' boundaries for <c>gen_ai.client.token.usage</c>.</summary>
    public static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _failovers;
    private readonly Histogram<long> _tokens;
    private readonly Counter<long> _streams;
    private readonly Histogram<double> _stateCalls;
    private readonly Counter<long> _toolLoop;

    public GatewayMetrics(IMeterFactory meters, ProviderRegistry providers, StateHealth state)
    {
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>(Requests, "{request}", "Requests answered, by route, end reason, provider, model, client kind and status class.");
        _duration = _meter.CreateHistogram<double>(RequestDuration, "s", "Time from the request's arrival to its last byte.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _timeToFirstToken = _meter.CreateHistogram<double>(TimeToFirstToken, "s", "Time from the request's arrival to the first content sent to the client.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _attempts = _meter.CreateCounter<long>(UpstreamAttempts, "{attempt}", "Upstream attempts, by provider and outcome (ok or the failure kind).");
        _failovers = _meter.CreateCounter<long>(Failovers, "{failover}", "Moves to the next candidate, by the provider that failed and why.");
        _tokens = _meter.CreateHistogram<long>(TokenUsage, "{token}", "Tokens per request, by type (input, output) and source (reported by the upstream, or estimated).", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _streams = _meter.CreateCounter<long>(Streams, "{stream}", "Streams that reached the client, by how they ended (done: the terminal event; interrupted: an error event).");
        _stateCalls = _meter.CreateHistogram<double>(StateCallDuration, "s", "State store (Table Storage) calls that got an answer.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _toolLoop = _meter.CreateCounter<long>(ToolLoopReplies, "{reply}", "Replies of upstreams without tools read by the tool loop, by provider and outcome (tool_calls, text, rejected: calls to undeclared tools dropped).");
        _meter.CreateObservableGauge(StateDegraded, () => state.IsDegraded ? 1 : 0, "{state}", "1 while the state store is unreachable and the gateway serves from memory.");
        var all = providers.All.ToArray();
        _meter.CreateObservableUpDownCounter(ProviderInFlight, () => InFlight(all), "{request}", "Requests in flight per provider (counted against MaxConcurrency).");
    }

    /// <summary>The meter (the stats listener subscribes to this instance only).</summary>
    public Meter Meter => _meter;

    /// <summary>One request ended: called once, with the log line's fields.</summary>
    public void RequestCompleted(RequestLog log, double durationSeconds)
    {
        if (!_requests.Enabled && !_duration.Enabled)
        {
            return;
        }

        var provider = log.Provider ?? "none";
        var model = log.ModelResolved && log.Model is { } m ? m : OtherModel;
        var tags = new TagList
        {
            { RouteTag, log.Route },
            { EndReasonTag, log.EndReason },
            { ProviderTag, provider },
            { ModelTag, model },
            { ClientTag, log.Client },
            { StatusClassTag, StatusClass(log.HttpStatus) },
        };
        _requests.Add(1, tags);

        var timing = new TagList { { RouteTag, log.Route }, { ProviderTag, provider }, { ModelTag, model } };
        _duration.Record(durationSeconds, timing);
        if (log.TtfbMs is { } ttfb)
        {
            _timeToFirstToken.Record(ttfb / 1000.0, timing);
        }

        if (log.PromptTokens is { } input)
        {
            _tokens.Record(input, new TagList { { TokenTypeTag, "input" }, { UsageSourceTag, log.UsageEstimated ? "estimated" : "reported" }, { ProviderTag, provider }, { ModelTag, model } });
        }

        if (log.CompletionTokens is { } output)
        {
            _tokens.Record(output, new TagList { { TokenTypeTag, "output" }, { UsageSourceTag, log.UsageEstimated ? "estimated" : "reported" }, { ProviderTag, provider }, { ModelTag, model } });
        }
    }

    /// <summary>An upstream attempt was decided: <paramref name="failure"/> null means it succeeded.</summary>
    public void AttemptFinished(Provider provider, FailureKind? failure) =>
        _attempts.Add(1, new KeyValuePair<string, object?>(ProviderTag, provider.Id), new KeyValuePair<string, object?>(OutcomeTag, failure is { } kind ? FailureKinds.Name(kind) : "ok"));

    /// <summary>The failover loop moves on from <paramref name="provider"/> after <paramref name="reason"/>.</summary>
    public void FailedOver(Provider provider, FailureKind reason) =>
        _failovers.Add(1, new KeyValuePair<string, object?>(ProviderTag, provider.Id), new KeyValuePair<string, object?>(ReasonTag, FailureKinds.Name(reason)));

    /// <summary>A stream that reached the client ended with its terminal event (<paramref name="done"/>) or an error event.</summary>
    public void StreamEnded(string route, bool done) =>
        _streams.Add(1, new KeyValuePair<string, object?>(RouteTag, route), new KeyValuePair<string, object?>(StreamEndTag, done ? "done" : "interrupted"));

    /// <summary>The tool loop read a reply of <paramref name="provider"/> as <paramref name="outcome"/>.</summary>
    public void ToolLoopDecided(Provider provider, ToolLoopOutcome outcome) =>
        _toolLoop.Add(1, new KeyValuePair<string, object?>(ProviderTag, provider.Id), new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)));

    /// <summary>A state store call answered with <paramref name="status"/> after <paramref name="seconds"/>.</summary>
    public void StateCall(double seconds, int status) =>
        _stateCalls.Record(seconds, new KeyValuePair<string, object?>(StatusClassTag, StatusClass(status)));

    public void Dispose() => _meter.Dispose();

    private static string OutcomeName(ToolLoopOutcome outcome) => outcome switch
    {
        ToolLoopOutcome.ToolCalls => "tool_calls",
        ToolLoopOutcome.Rejected => "rejected",
        _ => "text",
    };

    private static string StatusClass(int status) => status is >= 100 and < 600 ? StatusClasses[(status / 100) - 1] : "none";

    private static Measurement<int>[] InFlight(Provider[] providers)
    {
        var measurements = new Measurement<int>[providers.Length];
        for (var i = 0; i < providers.Length; i++)
        {
            measurements[i] = new Measurement<int>(providers[i].Concurrency.InFlight, new KeyValuePair<string, object?>(ProviderTag, providers[i].Id));
        }

        return measurements;
    }
}
