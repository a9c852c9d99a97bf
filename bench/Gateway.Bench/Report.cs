using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Bench;

/// <summary>Summary rows, the markdown report and the JSON file.</summary>
internal static class Report
{
    /// <summary>Product targets on the 2-core reference machine (added by the gateway, in ms).</summary>
    public const double TargetP50Ms = 0.25;
    public const double TargetP99Ms = 0.8;
    public const double TargetTtfbMs = 1.0;

    /// <summary>Issue 8 targets against the floor: c=32 throughput at least this share of the relay's …</summary>
    public const double FloorThroughputShare = 0.8;

    /// <summary>… and added c=1 p50 and added time-to-first-content p99 at most this multiple of the relay's.</summary>
    public const double FloorLatencyFactor = 2.0;

    /// <summary>Memory targets (MiB of VmRSS): a fresh gateway idle, and holding the slow streams in its steady state.</summary>
    public const double TargetIdleRssMb = 60;
    public const double TargetSteadyRssMb = 150;

    /// <summary>Above this <see cref="WrkResult.CorrectionRatio"/>, wrk's printed tail is not judged.</summary>
    public const double CorrectionLimit = 1.05;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Every summary metric, in report order; a path has a metric when <see cref="MetricDef.Pick"/> gives a value in every run.</summary>
    private static readonly MetricDef[] Metrics =
    [
        new("c1-wrk-p50", "c=1 non-stream latency p50, wrk", "ms", p => p.C1.P50Ms, TargetP50Ms),
        new("c1-wrk-p99", "c=1 non-stream latency p99, wrk", "ms", p => p.C1.P99Ms, TargetP99Ms, WrkTail: true),
        new("c1-timer-p50", "c=1 non-stream latency p50, bench timer", "ms", p => p.C1Timer?.P50Ms, TargetP50Ms),
        new("c1-timer-p99", "c=1 non-stream latency p99, bench timer", "ms", p => p.C1Timer?.P99Ms, TargetP99Ms),
        new("c1-wrk-rps", "c=1 throughput, wrk", "req/s", p => p.C1.RequestsPerSecond, Ratio: true),
        new("c32-rps", "c=32 throughput", "req/s", p => p.C32.RequestsPerSecond, Ratio: true),
        new("c32-p50", "c=32 latency p50", "ms", p => p.C32.P50Ms),
        new("c32-p99", "c=32 latency p99", "ms", p => p.C32.P99Ms),
        new("stream-ttfb", "stream time to first content (median)", "ms", p => p.Streams?.TtfbMedianMs, TargetTtfbMs),
        new("stream-short-ttfb-p50", "short stream time to first content p50", "ms", p => p.ShortStreams?.TtfbP50Ms),
        new("stream-short-ttfb-p99", "short stream time to first content p99", "ms", p => p.ShortStreams?.TtfbP99Ms),
        new("stream-short-delivery-p50", "short stream first-content delivery p50", "ms", p => p.ShortStreams?.DeliveryP50Ms),
        new("stream-short-delivery-p99", "short stream first-content delivery p99", "ms", p => p.ShortStreams?.DeliveryP99Ms),
        new("stream-delivery-p50", "stream chunk delivery p50", "ms", p => p.Streams?.DeliveryP50Ms),
        new("stream-delivery-p99", "stream chunk delivery p99", "ms", p => p.Streams?.DeliveryP99Ms),
        new("stream-gap-p50", "stream inter-chunk gap p50", "ms", p => p.Streams?.GapP50Ms),
        new("stream-gap-p99", "stream inter-chunk gap p99", "ms", p => p.Streams?.GapP99Ms),
        new("stream-total", "stream start to [DONE] (median)", "ms", p => p.Streams?.TotalMedianMs),
    ];

    /// <summary>The gateway against the floor: what issue 8 judges, then figures that explain it.</summary>
    private static readonly FloorDef[] FloorMetrics =
    [
        new("c32-rps", "c=32 throughput (req/s)", "req/s", p => p.C32.RequestsPerSecond, Added: false, AtLeast: FloorThroughputShare),
        new("c1-timer-p50", "c=1 added latency p50, bench timer (ms)", "ms", p => p.C1Timer?.P50Ms, Added: true, AtMost: FloorLatencyFactor),
        new("c1-wrk-p50", "c=1 added latency p50, wrk (ms)", "ms", p => p.C1.P50Ms, Added: true, AtMost: FloorLatencyFactor),
        new("stream-short-delivery-p99", "added first-content delivery p99, short streams (ms)", "ms", p => p.ShortStreams?.DeliveryP99Ms, Added: true, AtMost: FloorLatencyFactor),
        new("c1-timer-p99", "c=1 added latency p99, bench timer (ms)", "ms", p => p.C1Timer?.P99Ms, Added: true),
        new("stream-short-delivery-p50", "added first-content delivery p50, short streams (ms)", "ms", p => p.ShortStreams?.DeliveryP50Ms, Added: true),
        new("stream-short-ttfb-p99", "added time to first content p99, short streams (ms)", "ms", p => p.ShortStreams?.TtfbP99Ms, Added: true),
        new("stream-delivery-p50", "added chunk delivery p50, full streams (ms)", "ms", p => p.Streams?.DeliveryP50Ms, Added: true),
        new("stream-delivery-p99", "added chunk delivery p99, full streams (ms)", "ms", p => p.Streams?.DeliveryP99Ms, Added: true),
        new("stream-short-ttfb-p50", "added time to first content p50, short streams (ms)", "ms", p => p.ShortStreams?.TtfbP50Ms, Added: true),
        new("c32-p50", "c=32 added latency p50 (ms)", "ms", p => p.C32.P50Ms, Added: true),
        new("c32-cpu", "c=32 CPU per request of the process on the way (µs)", "µs", p => p.C32GatewayCpuUs, Added: false),
        new("c32-cpu-upstream", "c=32 CPU per request of the fake upstream behind it (µs)", "µs", p => p.C32UpstreamCpuUs, Added: false),
    ];

    /// <summary>The gateway against the relay, run by run; empty when the relay was not measured.</summary>
    public static List<FloorRow> CompareWithFloor(IReadOnlyList<RunResult> runs)
    {
        if (!runs[0].Paths.ContainsKey(PathNames.Relay))
        {
            return [];
        }

        var rows = new List<FloorRow>();
        foreach (var metric in FloorMetrics)
        {
            double Figure(RunResult run, string path) =>
                (metric.Pick(run[path]) ?? double.NaN) - (metric.Added ? metric.Pick(run[PathNames.Direct]) ?? double.NaN : 0);

            var perRun = runs.Select(r => new FloorRun(Figure(r, PathNames.Gateway), Figure(r, PathNames.Relay))).ToList();
            var gateway = Stats.Median(perRun.Select(r => r.Gateway));
            var floor = Stats.Median(perRun.Select(r => r.Floor));
            var ratio = gateway / floor;
            var ratios = perRun.Select(r => r.Gateway / r.Floor).ToList();
            string? target = null, verdict = null;
            if (metric.AtLeast is { } least)
            {
                target = string.Create(CultureInfo.InvariantCulture, $"≥ {least}× the floor");
                verdict = ratio >= least ? "met" : "missed";
            }
            else if (metric.AtMost is { } most)
            {
                target = string.Create(CultureInfo.InvariantCulture, $"≤ {most}× the floor");
                // A floor that added nothing (its median at or below direct's) leaves no ratio to judge: the gateway's added value stands alone.
                verdict = floor <= 0 ? "no floor" : ratio <= most ? "met" : "missed";
            }

            rows.Add(new FloorRow
            {
                Key = metric.Key,
                Metric = metric.Name,
                Unit = metric.Unit,
                Gateway = gateway,
                Floor = floor,
                Ratio = ratio,
                RatioMin = Stats.Min(ratios),
                RatioMax = Stats.Max(ratios),
                Target = target,
                Verdict = verdict,
                PerRun = perRun,
            });
        }

        return rows;
    }

    public static List<SummaryRow> Summarize(IReadOnlyList<RunResult> runs)
    {
        var others = runs[0].Paths.Keys.Where(n => n != PathNames.Direct).ToList();
        var rows = new List<SummaryRow>();
        foreach (var metric in Metrics)
        {
            var figures = new Dictionary<string, PathFigure>();
            foreach (var name in others.Where(n => runs.All(r => metric.Pick(r[n]) is not null)))
            {
                var added = runs.Select(r => metric.Added(r, name)).ToList();
                var median = Stats.Median(added);
                // wrk's c=1 tail is mostly synthetic when its coordinated-omission correction added much (see WrkResult).
                var judged = !metric.WrkTail || !runs.Any(r => Math.Max(r[PathNames.Direct].C1.CorrectionRatio, r[name].C1.CorrectionRatio) > CorrectionLimit);
                figures[name] = new PathFigure
                {
                    Value = Stats.Median(runs.Select(r => metric.Value(r, name))),
                    Added = median,
                    AddedMin = Stats.Min(added),
                    AddedMax = Stats.Max(added),
                    Verdict = metric.Target is { } limit ? (!judged ? "not judged" : median <= limit ? "met" : "missed") : null,
                };
            }

            var gateway = figures[PathNames.Gateway];
            rows.Add(new SummaryRow
            {
                Key = metric.Key,
                Metric = metric.Name,
                Unit = metric.Unit,
                Direct = Stats.Median(runs.Select(r => metric.Value(r, PathNames.Direct))),
                Gateway = gateway.Value,
                Added = gateway.Added,
                AddedMin = gateway.AddedMin,
                AddedMax = gateway.AddedMax,
                Target = metric.Target is { } t ? string.Create(CultureInfo.InvariantCulture, $"added ≤ {t} ms") : null,
                Verdict = gateway.Verdict,
                Paths = figures,
            });
        }

        return rows;
    }

    /// <summary>Comparison-only metric: the gateway process's CPU per request at c=32 (direct has no gateway, so no "added").</summary>
    private static readonly MetricDef GatewayCpu = new("c32-gateway-cpu", "c=32 gateway CPU per request", "µs", p => p.C32GatewayCpuUs);

    /// <summary>Short column names for the per-run comparison tables.</summary>
    private static readonly Dictionary<string, string> ShortNames = new()
    {
        ["c1-wrk-p50"] = "wrk c=1 p50",
        ["c1-timer-p50"] = "timer c=1 p50",
        ["c1-timer-p99"] = "timer c=1 p99",
        ["c32-rps"] = "c=32 req/s",
        ["c32-gateway-cpu"] = "gateway CPU µs/req",
        ["stream-ttfb"] = "TTFB",
        ["stream-gap-p99"] = "gap p99",
    };

    /// <summary>The path-against-path comparisons the measured paths allow.</summary>
    public static List<Comparison> Compare(IReadOnlyList<RunResult> runs)
    {
        var names = runs[0].Paths.Keys;
        var comparisons = new List<Comparison>();
        if (names.Contains(PathNames.Baseline))
        {
            comparisons.Add(Versus("baseline", PathNames.Baseline, PathNames.Gateway, [.. Metrics, GatewayCpu], runs));
        }

        if (names.Contains(PathNames.Anthropic))
        {
            string[] keys = ["c1-timer-p50", "c1-timer-p99", "stream-ttfb"];
            comparisons.Add(Versus("translation", PathNames.Gateway, PathNames.Anthropic, Metrics.Where(m => keys.Contains(m.Key)), runs));
        }

        return comparisons;
    }

    private static Comparison Versus(string name, string reference, string current, IEnumerable<MetricDef> metrics, IReadOnlyList<RunResult> runs)
    {
        var rows = metrics
            .Where(m => runs.All(r => m.Pick(r[reference]) is not null && m.Pick(r[current]) is not null))
            .Select(m =>
            {
                var perRun = runs.Select(r => m.Versus(r, current, reference)).ToList();
                return new ComparisonRow
                {
                    Key = m.Key,
                    Metric = m.Name,
                    Unit = m.Unit,
                    ReferenceValue = Stats.Median(runs.Select(r => m.Value(r, reference))),
                    CurrentValue = Stats.Median(runs.Select(r => m.Value(r, current))),
                    ReferenceAdded = Stats.Median(runs.Select(r => m.Added(r, reference))),
                    CurrentAdded = Stats.Median(runs.Select(r => m.Added(r, current))),
                    Difference = Stats.Median(perRun),
                    DifferenceMin = Stats.Min(perRun),
                    DifferenceMax = Stats.Max(perRun),
                    PerRun = perRun,
                };
            })
            .ToList();
        return new Comparison { Name = name, Reference = reference, Current = current, Rows = rows };
    }

    public static string Markdown(BenchResult result)
    {
        var m = result.Machine;
        var s = result.Settings;
        var sb = new StringBuilder();
        void Line(string text = "") => sb.Append(text).Append('\n');

        Line($"# Gateway bench, {result.TimestampUtc}");
        Line();
        Line($"- Commit `{m.Commit}`{(m.CommitDirty ? " (with uncommitted changes)" : "")}; {m.CpuCount} × {m.CpuModel}; Linux {m.Kernel}; .NET SDK {m.DotnetSdk} ({m.Runtime}); {m.Wrk}; load average at start {m.LoadAverageAtStart}.");
        Line($"- **Shared cores:** the load generator (wrk, and the bench's own stream timer), the fake upstream and the gateway all run on the same {m.CpuCount} cores. Every figure includes that contention: the gateway's work also slows the load generator and the upstream.");
        Line($"- Method: {s.WarmupSeconds} s warm-up per path at c=32 (plus 2 s at c=1 and 3 streams); then {s.Runs} runs, each with wrk `-t1 -c1 -d{s.DurationSeconds}s` and `-t2 -c32 -d{s.DurationSeconds}s` per path and {s.StreamsPerRun} sequential streams per path ({s.Chunks} chunks, {s.ChunkDelayMs} ms apart); the path order alternates within and between runs. Figures are medians across runs; \"added\" is the median of the per-run gateway − direct values, and the spread is their min … max.");
        Line($"- c=1 is measured twice: by wrk, and by the bench's own timer (one request at a time over HttpClient, timed with the monotonic clock; {s.DurationSeconds} s per path per run). wrk corrects its printed latency distribution for coordinated omission, adding synthetic samples for every latency above twice the mean interval between requests; at c=1 against a ~0.1 ms server a single stall of a few ms adds hundreds of them, so wrk's p99 here describes that model, not the requests sent (see the correction check below). The bench timer reports the requests as sent.");
        Line($"- Paths, in the order of odd runs (even runs reverse it): {string.Join("; ", result.Paths.Select(PathText))}.");
        if (result.Baseline is { } baseline)
        {
            var commit = baseline.Commit is null ? "not in a git checkout" : $"commit `{baseline.Commit}`{(baseline.CommitDirty ? " (checkout with uncommitted changes)" : "")}";
            var same = baseline.Commit is not null && baseline.Commit == m.Commit && !baseline.CommitDirty && !m.CommitDirty ? " — the same commit as the current build" : "";
            Line($"- **Baseline build** `{baseline.Dll}`: {commit}{same}, dll written {baseline.DllWrittenUtc}. Started with the same generated configuration and measured as the path `baseline` in every run, interleaved with the others; see \"Against the baseline build\".");
        }

        Line($"- During the measured runs, other processes used {result.ForeignCpuShare:P1} of the machine's CPU and the hypervisor stole {result.StealShare:P1}. Bench wall time {result.WallSeconds:F0} s.");
        Line();
        if (result.Problems.Count > 0)
        {
            Line("## ⚠ ERRORS");
            Line();
            foreach (var problem in result.Problems)
            {
                Line($"- **{problem}**");
            }

            Line();
        }

        Line($"## Results (median of {s.Runs} runs)");
        Line();
        Line("| Metric | Direct | Gateway | Added (gateway − direct) | Spread of added (min … max) | Target | Verdict |");
        Line("| --- | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var row in result.Summary)
        {
            Line($"| {row.Metric} ({row.Unit}) | {Value(row.Direct, row.Unit)} | {Value(row.Gateway, row.Unit)} | {Added(row.Added, row.Unit)} | {Added(row.AddedMin, row.Unit)} … {Added(row.AddedMax, row.Unit)} | {row.Target ?? "–"} | {Verdict(row.Verdict)} |");
        }

        Line();
        var ratios = result.Paths.Select(p => (p.Name, Ratio: Stats.Max(result.Runs.Select(r => r[p.Name].C1.CorrectionRatio)))).ToList();
        Line($"wrk correction check, c=1 runs (wrk's mean latency × requests ÷ duration; at most 1.00 for the requests as sent): largest {string.Join(", ", ratios.Select(x => $"{x.Name} {x.Ratio:F2}"))}." +
            (ratios.Any(x => x.Ratio > CorrectionLimit)
                ? " **Above 1: much of wrk's printed distribution is synthetic (coordinated-omission correction), more so for the faster direct path, so wrk's c=1 p99 and its \"added\" p99 do not describe the requests sent; use the bench-timer rows for c=1 tails.**"
                : ""));
        Line();
        Line($"Errors over all measured wrk runs (non-2xx responses + socket errors): {string.Join(", ", result.Paths.Select(p => $"{p.Name} {ErrorSum(result.Runs, p.Name)}"))}.");
        Line("For throughput rows, \"added\" is the gateway's throughput as a share of direct.");
        Line();

        if (result.Floor.Count > 0)
        {
            FloorSection(Line, result);
        }

        if (s.QuietVariant)
        {
            Line("## Per-request logging");
            Line();
            Line("The product logs one Information line per request to the console (the figures above). The same gateway with `Logging__LogLevel__Default=Warning`, which drops that line, measured in the same runs:");
            Line();
            Line("| Metric | Gateway, default logging | Gateway, request log off | Added, default logging | Added, request log off |");
            Line("| --- | ---: | ---: | ---: | ---: |");
            foreach (var row in result.Summary.Where(r => r.Paths.ContainsKey(PathNames.Quiet)))
            {
                var quiet = row.Paths[PathNames.Quiet];
                Line($"| {row.Metric} ({row.Unit}) | {Value(row.Gateway, row.Unit)} | {Value(quiet.Value, row.Unit)} | {Added(row.Added, row.Unit)} | {Added(quiet.Added, row.Unit)} |");
            }

            Line();
        }

        foreach (var comparison in result.Comparisons.Where(c => c.Name == "baseline"))
        {
            BaselineSection(Line, result, comparison);
        }

        if (result.Paths.Any(p => p.Name == PathNames.Anthropic))
        {
            AnthropicSection(Line, result, result.Comparisons.Single(c => c.Name == "translation"));
        }

        Line("## CPU per request at c=32");
        Line();
        Line("Process CPU time (user + system, from /proc, 10 ms ticks) during each c=32 run divided by its requests; median of runs, in microseconds.");
        Line();
        Line("| Path | Fake upstream | Gateway | Both |");
        Line("| --- | ---: | ---: | ---: |");
        foreach (var path in result.Paths)
        {
            var up = Stats.Median(result.Runs.Select(x => x[path.Name].C32UpstreamCpuUs));
            if (path.Name == PathNames.Direct)
            {
                Line($"| {path.Label} | {up:F0} | – | {up:F0} |");
                continue;
            }

            var gw = Stats.Median(result.Runs.Select(x => x[path.Name].C32GatewayCpuUs ?? double.NaN));
            Line($"| {path.Label} | {up:F0} | {gw:F0} | {up + gw:F0} |");
        }

        Line();
        MemorySection(Line, result);
        RuntimeSection(Line, result);
        Line();
        Line("## Per run");
        Line();
        Line("Milliseconds unless marked; d = direct, g = gateway, + = added.");
        Line();
        Line("| Run | wrk c=1 p50 d / g / + | wrk c=1 p99 d / g / + | timer c=1 p50 d / g / + | timer c=1 p99 d / g / + | wrk correction check d / g | c=32 req/s d / g | c=32 p99 d / g | TTFB d / g / + | gap p50 d / g | gap p99 d / g |");
        Line("| ---: | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var run in result.Runs)
        {
            var d = run[PathNames.Direct];
            var g = run[PathNames.Gateway];
            var dt = d.C1Timer!;
            var gt = g.C1Timer!;
            Line($"| {run.Run} | {d.C1.P50Ms:F3} / {g.C1.P50Ms:F3} / {g.C1.P50Ms - d.C1.P50Ms:F3} | {d.C1.P99Ms:F3} / {g.C1.P99Ms:F3} / {g.C1.P99Ms - d.C1.P99Ms:F3} | " +
                $"{dt.P50Ms:F3} / {gt.P50Ms:F3} / {gt.P50Ms - dt.P50Ms:F3} | {dt.P99Ms:F3} / {gt.P99Ms:F3} / {gt.P99Ms - dt.P99Ms:F3} | {d.C1.CorrectionRatio:F2} / {g.C1.CorrectionRatio:F2} | " +
                $"{d.C32.RequestsPerSecond:F0} / {g.C32.RequestsPerSecond:F0} | {d.C32.P99Ms:F2} / {g.C32.P99Ms:F2} | " +
                $"{d.Streams!.TtfbMedianMs:F3} / {g.Streams!.TtfbMedianMs:F3} / {g.Streams.TtfbMedianMs - d.Streams.TtfbMedianMs:F3} | " +
                $"{d.Streams.GapP50Ms:F3} / {g.Streams.GapP50Ms:F3} | {d.Streams.GapP99Ms:F3} / {g.Streams.GapP99Ms:F3} |");
        }

        if (s.QuietVariant)
        {
            Line();
            Line("Gateway with request log off, per run:");
            Line();
            Line("| Run | c=1 p50 / + | c=1 p99 / + | c=32 req/s | c=32 p99 |");
            Line("| ---: | --- | --- | --- | --- |");
            foreach (var run in result.Runs)
            {
                var d = run[PathNames.Direct];
                var q = run[PathNames.Quiet];
                Line($"| {run.Run} | {q.C1.P50Ms:F3} / {q.C1.P50Ms - d.C1.P50Ms:F3} | {q.C1.P99Ms:F3} / {q.C1.P99Ms - d.C1.P99Ms:F3} | {q.C32.RequestsPerSecond:F0} | {q.C32.P99Ms:F2} |");
            }
        }

        if (result.Floor.Count > 0)
        {
            Line();
            Line("Gateway against the floor, per run (gateway / relay; latencies added over direct, in ms):");
            Line();
            string[] keys = ["c32-rps", "c1-timer-p50", "stream-short-delivery-p99", "stream-short-ttfb-p99", "c32-cpu"];
            var rows = keys.Select(k => result.Floor.Single(f => f.Key == k)).ToList();
            Line("| Run | " + string.Join(" | ", rows.Select(f => f.Metric)) + " |");
            Line("| ---: |" + string.Concat(rows.Select(_ => " --- |")));
            for (var i = 0; i < result.Runs.Count; i++)
            {
                Line($"| {result.Runs[i].Run} | " + string.Join(" | ", rows.Select(f =>
                    $"{Value(f.PerRun[i].Gateway, f.Unit)} / {Value(f.PerRun[i].Floor, f.Unit)} ({(f.PerRun[i].Gateway / f.PerRun[i].Floor).ToString("0.00", CultureInfo.InvariantCulture)}×)")) + " |");
            }
        }

        foreach (var comparison in result.Comparisons.Where(c => c.Name == "baseline"))
        {
            Line();
            Line("Current build against the baseline build, per run (current / baseline / current − baseline, or current ÷ baseline for req/s):");
            Line();
            PerRunComparison(Line, result, comparison, "cur", "base", "c1-timer-p50", "c1-timer-p99", "c1-wrk-p50", "c32-rps", "c32-gateway-cpu", "stream-ttfb", "stream-gap-p99");
        }

        foreach (var comparison in result.Comparisons.Where(c => c.Name == "translation"))
        {
            Line();
            Line("Anthropic Messages in against OpenAI in, per run (anthropic / openai / translation cost):");
            Line();
            PerRunComparison(Line, result, comparison, "a", "o", "c1-timer-p50", "c1-timer-p99", "stream-ttfb");
        }

        return sb.ToString();
    }

    public static string ToJson(BenchResult result) => JsonSerializer.Serialize(result, Json) + "\n";

    private static long ErrorSum(IReadOnlyList<RunResult> runs, string path) =>
        runs.Sum(r => r[path].C1.Errors + r[path].C32.Errors);

    private static string Value(double value, string unit) => double.IsNaN(value) ? "–" : unit switch
    {
        "req/s" => value.ToString("F0", CultureInfo.InvariantCulture),
        "µs" => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F3", CultureInfo.InvariantCulture),
    };

    /// <summary>A per-run difference (or, for req/s, a ratio as a share of <paramref name="of"/>).</summary>
    private static string Added(double value, string unit, string of = "direct") => double.IsNaN(value) ? "–" : unit switch
    {
        "req/s" => (value * 100).ToString("F0", CultureInfo.InvariantCulture) + " % of " + of,
        "µs" => value.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture),
    };

    private static string PathText(PathInfo path)
    {
        var what = path.Name == PathNames.Direct ? "the fake upstream" : path.Process;
        return $"`{path.Name}` ({what}, `{path.Endpoint}`, model `{path.Model}`{(path.Timers ? "" : ", wrk only")})";
    }

    /// <summary>
    /// Whether the per-run differences all lie on one side of "no difference" (0, or 1 for ratios). If the two
    /// paths perform the same, that happens by chance with probability 2 × 0.5^runs.
    /// </summary>
    private static string Reading(ComparisonRow row, int runs, string current)
    {
        var none = row.Unit == "req/s" ? 1.0 : 0.0;
        if (double.IsNaN(row.DifferenceMin) || double.IsNaN(row.DifferenceMax))
        {
            return "–";
        }

        if (row.DifferenceMin <= none && none <= row.DifferenceMax)
        {
            return "within the run-to-run spread";
        }

        var side = row.DifferenceMin > none ? "higher" : "lower";
        return runs switch
        {
            1 => $"{current} {side} (one run only)",
            2 => $"{current} {side} in both runs",
            _ => $"{current} {side} in all {runs} runs",
        };
    }

    /// <summary>"Against the baseline build": each build's added value and the per-run difference between them.</summary>
    private static void BaselineSection(Action<string> line, BenchResult result, Comparison comparison)
    {
        var runs = result.Runs.Count;
        line("## Against the baseline build");
        line("");
        line($"The baseline build ran as the path `{comparison.Reference}`, in the same runs as the current build (`{comparison.Current}`) and interleaved with it, with the same configuration and the same fake upstream. " +
            "\"Added\" is each build's median per-run value minus direct (for throughput, a share of direct). The difference is current − baseline in each run (for throughput, current ÷ baseline); its median and min … max across the " +
            $"{runs} runs are the figures to read: when min … max contains 0 (100 % for throughput), the builds differ by no more than the run-to-run spread. " +
            $"If the builds perform the same, all {runs} differences fall on one side by chance with probability {2 * Math.Pow(0.5, runs):P0}.");
        line("");
        line("| Metric | Baseline | Current | Baseline added | Current added | Current − baseline (median) | Spread of the difference (min … max) | Reading |");
        line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var row in comparison.Rows)
        {
            line($"| {row.Metric} ({row.Unit}) | {Value(row.ReferenceValue, row.Unit)} | {Value(row.CurrentValue, row.Unit)} | {Added(row.ReferenceAdded, row.Unit)} | {Added(row.CurrentAdded, row.Unit)} | " +
                $"{Added(row.Difference, row.Unit, "baseline")} | {Added(row.DifferenceMin, row.Unit, "baseline")} … {Added(row.DifferenceMax, row.Unit, "baseline")} | {Reading(row, runs, "current")} |");
        }

        line("");
    }

    /// <summary>"Anthropic Messages in": the translated path against direct, and against the gateway's OpenAI path.</summary>
    private static void AnthropicSection(Action<string> line, BenchResult result, Comparison translation)
    {
        var runs = result.Runs.Count;
        line("## Anthropic Messages in (translated)");
        line("");
        line($"The path `{PathNames.Anthropic}`: the same gateway process, requests to `POST /v1/messages` with `anthropic-version: {BenchRequests.AnthropicVersion}` and an Anthropic Messages body, " +
            "translated by the gateway to the same OpenAI-kind fake upstream; measured in the same runs as the others. In its streams the content events are `content_block_delta` and the end is `message_stop` " +
            "(so \"start to [DONE]\" reads \"start to message_stop\" here). \"Added\" is against direct, as for the gateway.");
        line("");
        line("| Metric | Direct | Gateway, Anthropic in | Added (anthropic − direct) | Spread of added (min … max) | Target | Verdict |");
        line("| --- | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var row in result.Summary.Where(r => r.Paths.ContainsKey(PathNames.Anthropic)))
        {
            var a = row.Paths[PathNames.Anthropic];
            line($"| {row.Metric} ({row.Unit}) | {Value(row.Direct, row.Unit)} | {Value(a.Value, row.Unit)} | {Added(a.Added, row.Unit)} | {Added(a.AddedMin, row.Unit)} … {Added(a.AddedMax, row.Unit)} | {row.Target ?? "–"} | {Verdict(a.Verdict)} |");
        }

        line("");
        line("### Translation cost");
        line("");
        line($"What Anthropic Messages in costs over OpenAI chat completions in, through the same gateway process: the per-run difference `{translation.Current}` − `{translation.Reference}`, median and min … max across the {runs} runs.");
        line("");
        line("| Metric | Added, OpenAI in | Added, Anthropic in | Translation cost (median) | Spread of the cost (min … max) | Reading |");
        line("| --- | ---: | ---: | ---: | ---: | --- |");
        foreach (var row in translation.Rows)
        {
            line($"| {row.Metric} ({row.Unit}) | {Added(row.ReferenceAdded, row.Unit)} | {Added(row.CurrentAdded, row.Unit)} | {Added(row.Difference, row.Unit, "OpenAI in")} | " +
                $"{Added(row.DifferenceMin, row.Unit, "OpenAI in")} … {Added(row.DifferenceMax, row.Unit, "OpenAI in")} | {Reading(row, runs, "Anthropic in")} |");
        }

        line("");
    }

    /// <summary>Per run: the compared path / the reference / the difference, for a few metrics of a comparison.</summary>
    private static void PerRunComparison(Action<string> line, BenchResult result, Comparison comparison, string current, string reference, params string[] keys)
    {
        var rows = keys.Select(k => comparison.Rows.FirstOrDefault(r => r.Key == k)).OfType<ComparisonRow>().ToList();
        var metrics = rows.Select(r => Metrics.Append(GatewayCpu).Single(m => m.Key == r.Key)).ToList();
        line("| Run | " + string.Join(" | ", rows.Select(r => $"{ShortNames[r.Key]} {current} / {reference} / {(r.Unit == "req/s" ? "÷" : "−")}")) + " |");
        line("| ---: |" + string.Concat(rows.Select(_ => " --- |")));
        for (var i = 0; i < result.Runs.Count; i++)
        {
            var run = result.Runs[i];
            var cells = rows.Select((r, j) =>
                $"{Value(metrics[j].Value(run, comparison.Current), r.Unit)} / {Value(metrics[j].Value(run, comparison.Reference), r.Unit)} / {Added(r.PerRun[i], r.Unit, comparison.Reference)}");
            line($"| {run.Run} | {string.Join(" | ", cells)} |");
        }
    }

    /// <summary>"Against the floor": the gateway against the bare relay, with issue 8's targets.</summary>
    private static void FloorSection(Action<string> line, BenchResult result)
    {
        var runs = result.Runs.Count;
        line("## Against the floor (bare relay)");
        line("");
        line($"The path `{PathNames.Relay}` is the floor: `bench/Gateway.Relay`, a byte relay built on YARP's `IHttpForwarder` (no parsing, no logging), in front of the same fake upstream, " +
            $"measured in the same {runs} runs, interleaved with the gateway. \"Added\" rows are each path's per-run value minus direct, then the median across runs. " +
            "The ratio is the gateway's median divided by the relay's; the per-run ratios (min … max) are the noise to read it against. " +
            $"Targets (issue 8): c=32 throughput ≥ {FloorThroughputShare}× the floor's, added c=1 p50 and added time-to-first-content p99 ≤ {FloorLatencyFactor}× the floor's. " +
            "The time-to-first-content tail is judged on the first-content delivery of the short streams: from the fake upstream's write of the content chunk " +
            "(the monotonic-clock timestamp the chunk carries in its text) to the client's read of it. Time to first content from the request's start also holds " +
            "the upstream's 20 ms pause before the chunk, whose timer jitter (a few ms at p99, the same for every path) swamps the path's own sub-millisecond tail; " +
            "both are shown.");
        line("");
        line("| Metric | Gateway | Relay (floor) | Gateway ÷ floor | Per-run ratio (min … max) | Target | Verdict |");
        line("| --- | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var row in result.Floor)
        {
            var value = row.Unit == "req/s" || row.Unit == "µs" ? (Func<double, string>)(v => Value(v, row.Unit)) : v => Added(v, row.Unit);
            line($"| {row.Metric} | {value(row.Gateway)} | {value(row.Floor)} | {Times(row.Ratio)} | {Times(row.RatioMin)} … {Times(row.RatioMax)} | {row.Target ?? "–"} | {Verdict(row.Verdict)} |");
        }

        line("");
    }

    private static string Times(double ratio) => double.IsNaN(ratio) || double.IsInfinity(ratio) ? "–" : ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    /// <summary>Start-up and memory of each build, with issue 8's memory targets.</summary>
    private static void MemorySection(Action<string> line, BenchResult result)
    {
        var r = result.Resources;
        var s = result.Settings;
        var builds = r.Builds;
        line("## Start-up and memory");
        line("");
        line($"VmRSS of the gateway process (MiB; VmHWM, the peak, in brackets). Each build is started {s.Starts} times; on the last start-up, {s.PassStreams} short streams pass through it " +
            $"(at most {s.SlowStreams} at a time, each read to its end), then {s.SlowStreams} slow streams (300 chunks 100 ms apart) are opened at once and held: that reading is the steady state. " +
            $"Targets (issue 8): idle ≤ {TargetIdleRssMb} MiB, steady state ≤ {TargetSteadyRssMb} MiB.");
        line("");
        line("| Figure | " + string.Join(" | ", builds.Select(b => b.Build)) + " | Target | Verdict (current build) |");
        line("| --- |" + string.Concat(builds.Select(_ => " ---: |")) + " --- | --- |");
        line($"| GC | {string.Join(" | ", builds.Select(b => result.Runtimes.TryGetValue(b.Process, out var rt) ? rt.GcMode : "–"))} | – | – |");
        line($"| Start-up: process start → first 200 from `/health` (median; min … max) | {string.Join(" | ", builds.Select(b => $"{Stats.Median(b.StartupMs):F0} ms ({Stats.Min(b.StartupMs):F0} … {Stats.Max(b.StartupMs):F0})"))} | – | – |");
        var idle = builds.Select(b => Stats.Median(b.Idle.Select(i => i.RssMb))).ToList();
        line($"| RSS idle 1 s after start-up, before any request (median of {s.Starts}) | {string.Join(" | ", builds.Select((b, i) => $"{idle[i]:F1} ({Stats.Median(b.Idle.Select(x => x.HwmMb)):F1})"))} | ≤ {TargetIdleRssMb} | {MemoryVerdict(idle[0], TargetIdleRssMb)} |");
        if (r.RelayIdle.Count > 0)
        {
            var floor = Stats.Median(r.RelayIdle.Select(x => x.RssMb));
            line($"| The floor: RSS of the bare relay (`bench/Gateway.Relay`) idle 1 s after it first answered (median of {r.RelayIdle.Count}) | {string.Join(" | ", builds.Select(_ => $"{floor:F1} ({Stats.Median(r.RelayIdle.Select(x => x.HwmMb)):F1})"))} | – | gateway − floor: {idle[0] - floor:+0.0;-0.0} MiB |");
        }

        if (builds.All(b => b.SteadyState is not null))
        {
            var steady = builds.Select(b => b.SteadyState!).ToList();
            line($"| RSS after {s.PassStreams} streams passed, idle again | {string.Join(" | ", steady.Select(x => $"{x.AfterPass.RssMb:F1} ({x.AfterPass.HwmMb:F1}); {x.PassCompleted}/{x.PassRequested} in {x.PassSeconds:F1} s"))} | – | – |");
            line($"| RSS holding {s.SlowStreams} slow streams after that: steady state (largest of 10 samples over 2 s) | {string.Join(" | ", steady.Select(x => $"{x.PeakRssMb:F1} ({x.HwmMb:F1}); {x.HoldEstablished}/{x.HoldRequested} in {x.RampSeconds:F1} s"))} | ≤ {TargetSteadyRssMb} | {MemoryVerdict(steady[0].PeakRssMb, TargetSteadyRssMb)} |");
        }

        line("");
        line("After the measured runs, each process of the latency phase idle again:");
        line("");
        line("| Process | RSS (VmHWM) |");
        line("| --- | ---: |");
        foreach (var (process, after) in r.AfterLoad)
        {
            line($"| {process} | {after.RssMb:F1} MiB ({after.HwmMb:F1} MiB) |");
        }

        line("");
    }

    private static string MemoryVerdict(double value, double target) => Verdict(value <= target ? "met" : "missed");

    /// <summary>Each process's GC mode and the runtime settings behind it.</summary>
    private static void RuntimeSection(Action<string> line, BenchResult result)
    {
        line("## Runtime settings");
        line("");
        line("From each program's `runtimeconfig.json` (`System.GC.*`, tiering) and any GC variables of the bench's environment, which the children inherit.");
        line("");
        line("| Process | GC mode | Settings |");
        line("| --- | --- | --- |");
        foreach (var (process, runtime) in result.Runtimes)
        {
            var settings = runtime.Properties.Select(p => $"`{p.Key}={p.Value}`").Concat(runtime.Environment.Select(e => $"`{e.Key}={e.Value}` (environment)"));
            line($"| {process} | {runtime.GcMode} | {string.Join(", ", settings)} |");
        }

        line("");
    }

    private static string Verdict(string? verdict) => verdict switch
    {
        "met" => "✅ met",
        "missed" => "❌ missed",
        "not judged" => "not judged (wrk correction check above 1)",
        "no floor" => "not judged (the floor's added median is ≤ 0, so the ratio means nothing; read the gateway's added value)",
        _ => "–",
    };
}

/// <summary>
/// A summary metric: how to read it from one path's run (null when the path does not measure it), its target on
/// the added value in ms, and whether "added" is a ratio (throughput) rather than a difference.
/// <paramref name="WrkTail"/> marks wrk's c=1 tail, which is not judged when wrk's correction made it synthetic.
/// </summary>
internal sealed record MetricDef(string Key, string Name, string Unit, Func<PathRun, double?> Pick, double? Target = null, bool Ratio = false, bool WrkTail = false)
{
    public double Value(RunResult run, string path) => Pick(run[path]) ?? double.NaN;

    /// <summary>Per run: <paramref name="path"/> − direct, or path ÷ direct for ratio metrics.</summary>
    public double Added(RunResult run, string path) => Versus(run, path, PathNames.Direct);

    /// <summary>Per run: <paramref name="path"/> − <paramref name="reference"/>, or path ÷ reference for ratio metrics.</summary>
    public double Versus(RunResult run, string path, string reference) => Ratio
        ? Value(run, path) / Value(run, reference)
        : Value(run, path) - Value(run, reference);
}
