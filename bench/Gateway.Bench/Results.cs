namespace Gateway.Bench;

/// <summary>One path (see <see cref="PathNames"/>) in one run.</summary>
internal sealed record PathRun
{
    public required string Path { get; init; }

    /// <summary>wrk -t1 -c1, non-stream.</summary>
    public required WrkResult C1 { get; init; }

    /// <summary>wrk -t2 -c32, non-stream.</summary>
    public required WrkResult C32 { get; init; }

    /// <summary>The bench's own c=1 timer (monotonic clock); null for paths it does not time.</summary>
    public LatencyRun? C1Timer { get; init; }

    /// <summary>Gateway process CPU time per request during the c=32 run, in microseconds (null for direct).</summary>
    public double? C32GatewayCpuUs { get; init; }

    /// <summary>Fake upstream process CPU time per request during the c=32 run, in microseconds.</summary>
    public double C32UpstreamCpuUs { get; init; }

    /// <summary>Stream timer figures; null for paths that are not stream-timed.</summary>
    public StreamRunStats? Streams { get; init; }

    /// <summary>Short streams (one content chunk): time-to-first-content percentiles; null for paths that are not stream-timed.</summary>
    public ShortStreamStats? ShortStreams { get; init; }
}

/// <summary>Time to first content of the short streams of one path in one run, in milliseconds.</summary>
internal sealed record ShortStreamStats
{
    public int Requests { get; init; }

    /// <summary>Streams that did not bring their content chunk and end event.</summary>
    public int Incomplete { get; init; }

    public double TtfbP50Ms { get; init; }

    public double TtfbP99Ms { get; init; }

    /// <summary>First-content delivery (the upstream's write of the content to the client's read of it), p50.</summary>
    public double DeliveryP50Ms { get; init; }

    /// <summary>First-content delivery, p99: the path's own tail, without the jitter of the upstream's pause before the chunk.</summary>
    public double DeliveryP99Ms { get; init; }

    public static ShortStreamStats From(IReadOnlyList<StreamSample> samples) => new()
    {
        Requests = samples.Count,
        Incomplete = samples.Count(s => !s.Done || s.ContentEvents != 1),
        TtfbP50Ms = Stats.Percentile(samples.Select(s => s.TtfbMs), 50),
        TtfbP99Ms = Stats.Percentile(samples.Select(s => s.TtfbMs), 99),
        DeliveryP50Ms = Stats.Percentile(samples.Select(s => s.DeliveryMs), 50),
        DeliveryP99Ms = Stats.Percentile(samples.Select(s => s.DeliveryMs), 99),
    };
}

/// <summary>Stream timer figures of one path in one run, in milliseconds.</summary>
internal sealed record StreamRunStats
{
    public int Requests { get; init; }

    /// <summary>Streams that did not bring every content chunk and [DONE].</summary>
    public int Incomplete { get; init; }

    /// <summary>Median over requests of the time to the first content event.</summary>
    public double TtfbMedianMs { get; init; }

    /// <summary>p50 over every gap between content events of every request.</summary>
    public double GapP50Ms { get; init; }

    /// <summary>p99 over every gap between content events of every request.</summary>
    public double GapP99Ms { get; init; }

    /// <summary>Median over requests of request start to [DONE].</summary>
    public double TotalMedianMs { get; init; }

    /// <summary>p50 over the delivery (upstream write to client read) of every content event of every request.</summary>
    public double DeliveryP50Ms { get; init; }

    /// <summary>p99 over the delivery of every content event of every request.</summary>
    public double DeliveryP99Ms { get; init; }

    public static StreamRunStats From(IReadOnlyList<StreamSample> samples, int chunks) => new()
    {
        Requests = samples.Count,
        Incomplete = samples.Count(s => !s.Done || s.ContentEvents != chunks),
        TtfbMedianMs = Stats.Median(samples.Select(s => s.TtfbMs)),
        GapP50Ms = Stats.Percentile(samples.SelectMany(s => s.GapsMs), 50),
        GapP99Ms = Stats.Percentile(samples.SelectMany(s => s.GapsMs), 99),
        TotalMedianMs = Stats.Median(samples.Select(s => s.TotalMs)),
        DeliveryP50Ms = Stats.Percentile(samples.SelectMany(s => s.DeliveriesMs), 50),
        DeliveryP99Ms = Stats.Percentile(samples.SelectMany(s => s.DeliveriesMs), 99),
    };
}

/// <summary>Every path of one measured run.</summary>
internal sealed record RunResult
{
    public int Run { get; init; }

    /// <summary>Every path measured in the run, by path name (see <see cref="PathNames"/>), in the bench's path order.</summary>
    public required IReadOnlyDictionary<string, PathRun> Paths { get; init; }

    public PathRun this[string name] => Paths[name];
}

/// <summary>Start-up time and memory figures: of the current build, and of the baseline build when there is one.</summary>
internal sealed record ResourceResult
{
    /// <summary>The current build first.</summary>
    public required IReadOnlyList<BuildResources> Builds { get; init; }

    /// <summary>The floor's idle memory: the bare relay started as often as each build, read 1 s after it first answered (empty with BENCH_RELAY=0).</summary>
    public IReadOnlyList<MemoryReading> RelayIdle { get; init; } = [];

    /// <summary>Each measured process of the latency phase (by process name) at the end of all load, idle again.</summary>
    public IReadOnlyDictionary<string, MemoryReading> AfterLoad { get; init; } = new Dictionary<string, MemoryReading>();
}

/// <summary>One build's start-ups and memory.</summary>
internal sealed record BuildResources
{
    /// <summary>"current build" or "baseline build".</summary>
    public required string Build { get; init; }

    /// <summary>The process name of that build in the latency phase (<c>gateway</c>, <c>gateway-baseline</c>).</summary>
    public required string Process { get; init; }

    /// <summary>Process start → first 200 from /health, one per start, in milliseconds.</summary>
    public required IReadOnlyList<double> StartupMs { get; init; }

    /// <summary>VmRSS/VmHWM one second after each start-up, before any request.</summary>
    public required IReadOnlyList<MemoryReading> Idle { get; init; }

    /// <summary>Memory after the passed streams and while holding the slow ones (null with <c>BENCH_SLOW_STREAMS=0</c>).</summary>
    public SteadyStateResult? SteadyState { get; init; }
}

/// <summary>Settings that shaped the run, recorded with the results.</summary>
internal sealed record BenchSettings(
    int DurationSeconds,
    int Runs,
    int WarmupSeconds,
    int StreamsPerRun,
    int ChunkDelayMs,
    int Chunks,
    int SlowStreams,
    int PassStreams,
    int TtfbStreams,
    int Starts,
    bool QuietVariant,
    string? BaselineDll,
    bool Anthropic,
    bool Relay)
{
    public static BenchSettings From(BenchOptions o) =>
        new(o.DurationSeconds, o.Runs, o.WarmupSeconds, o.StreamsPerRun, o.ChunkDelayMs, o.Chunks, o.SlowStreams, o.PassStreams, o.TtfbStreams, o.Starts,
            o.QuietVariant, o.BaselineDll, o.Anthropic, o.Relay);
}

/// <summary>
/// One summary line: medians across runs, and the spread of the added value. <see cref="Gateway"/>,
/// <see cref="Added"/>, <see cref="AddedMin"/>, <see cref="AddedMax"/> and <see cref="Verdict"/> are the headline
/// (the gateway path, as in <see cref="Paths"/>); <see cref="Paths"/> has every path but direct that has the metric.
/// </summary>
internal sealed record SummaryRow
{
    /// <summary>A stable name of the metric (for comparisons and scripts).</summary>
    public required string Key { get; init; }

    public required string Metric { get; init; }

    public required string Unit { get; init; }

    public double Direct { get; init; }

    public double Gateway { get; init; }

    /// <summary>Median across runs of the per-run (gateway − direct); for req/s, gateway/direct.</summary>
    public double Added { get; init; }

    public double AddedMin { get; init; }

    public double AddedMax { get; init; }

    public string? Target { get; init; }

    public string? Verdict { get; init; }

    /// <summary>The same figures for every path but direct that measured this metric, by path name.</summary>
    public required IReadOnlyDictionary<string, PathFigure> Paths { get; init; }
}

/// <summary>One path's figures for one metric.</summary>
internal sealed record PathFigure
{
    /// <summary>Median across runs.</summary>
    public double Value { get; init; }

    /// <summary>Median across runs of the per-run (path − direct); for req/s, path/direct.</summary>
    public double Added { get; init; }

    public double AddedMin { get; init; }

    public double AddedMax { get; init; }

    /// <summary>"met", "missed" or "not judged" when the metric has a target; otherwise null.</summary>
    public string? Verdict { get; init; }
}

/// <summary>
/// Two paths measured in the same runs, compared run by run: <see cref="Current"/> against <see cref="Reference"/>
/// (the current build against the baseline build; Anthropic Messages in against OpenAI in).
/// </summary>
internal sealed record Comparison
{
    /// <summary>"baseline" or "translation".</summary>
    public required string Name { get; init; }

    /// <summary>Path name of the reference.</summary>
    public required string Reference { get; init; }

    /// <summary>Path name of the path compared with it.</summary>
    public required string Current { get; init; }

    public required IReadOnlyList<ComparisonRow> Rows { get; init; }
}

/// <summary>One metric of a <see cref="Comparison"/>.</summary>
internal sealed record ComparisonRow
{
    public required string Key { get; init; }

    public required string Metric { get; init; }

    public required string Unit { get; init; }

    /// <summary>Median across runs of the reference's value.</summary>
    public double ReferenceValue { get; init; }

    /// <summary>Median across runs of the compared path's value.</summary>
    public double CurrentValue { get; init; }

    /// <summary>Median across runs of the reference's per-run added value (vs direct; for req/s, a share of direct).</summary>
    public double ReferenceAdded { get; init; }

    /// <summary>The same for the compared path.</summary>
    public double CurrentAdded { get; init; }

    /// <summary>Median across runs of the per-run (current − reference); for req/s, current ÷ reference.</summary>
    public double Difference { get; init; }

    public double DifferenceMin { get; init; }

    public double DifferenceMax { get; init; }

    /// <summary>The per-run differences, in run order.</summary>
    public required IReadOnlyList<double> PerRun { get; init; }
}

/// <summary>Everything one bench run produced (the .json file).</summary>
internal sealed record BenchResult
{
    public required string TimestampUtc { get; init; }

    public required MachineInfo Machine { get; init; }

    public required BenchSettings Settings { get; init; }

    /// <summary>The paths measured, in the bench's order.</summary>
    public required IReadOnlyList<PathInfo> Paths { get; init; }

    public required IReadOnlyList<SummaryRow> Summary { get; init; }

    /// <summary>Path-against-path comparisons (baseline build, translation cost), when those paths were measured.</summary>
    public required IReadOnlyList<Comparison> Comparisons { get; init; }

    /// <summary>The gateway against the floor (the bare relay), when the relay was measured; empty otherwise.</summary>
    public required IReadOnlyList<FloorRow> Floor { get; init; }

    /// <summary>The baseline build, when <c>BENCH_BASELINE_DLL</c> was set.</summary>
    public BaselineBuild? Baseline { get; init; }

    public required IReadOnlyList<RunResult> Runs { get; init; }

    public required ResourceResult Resources { get; init; }

    /// <summary>GC mode and runtime settings of each measured process, by process name.</summary>
    public required IReadOnlyDictionary<string, RuntimeSettings> Runtimes { get; init; }

    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Share of the machine's CPU used by processes outside the bench during the measured runs.</summary>
    public double ForeignCpuShare { get; init; }

    /// <summary>Share of the machine's CPU stolen by the hypervisor during the measured runs.</summary>
    public double StealShare { get; init; }

    public double WallSeconds { get; init; }
}

/// <summary>
/// One figure of the gateway against the floor (the bare relay), measured in the same runs. <see cref="Ratio"/> is
/// the gateway's median across runs divided by the relay's (robust where the relay adds next to nothing in some
/// run); <see cref="RatioMin"/> … <see cref="RatioMax"/> are the per-run ratios, the noise to read it against.
/// </summary>
internal sealed record FloorRow
{
    public required string Key { get; init; }

    public required string Metric { get; init; }

    public required string Unit { get; init; }

    /// <summary>Median across runs of the gateway's figure (for "added" rows, its per-run value − direct).</summary>
    public double Gateway { get; init; }

    /// <summary>The same for the relay.</summary>
    public double Floor { get; init; }

    public double Ratio { get; init; }

    public double RatioMin { get; init; }

    public double RatioMax { get; init; }

    /// <summary>"≥ 0.8× the floor", "≤ 2× the floor"; null when the row has no target.</summary>
    public string? Target { get; init; }

    /// <summary>"met" or "missed" when the row has a target.</summary>
    public string? Verdict { get; init; }

    /// <summary>Per run: the gateway's figure and the relay's.</summary>
    public required IReadOnlyList<FloorRun> PerRun { get; init; }
}

/// <summary>One run of a <see cref="FloorRow"/>.</summary>
internal sealed record FloorRun(double Gateway, double Floor);
