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
        new("stream-gap-p50", "stream inter-chunk gap p50", "ms", p => p.Streams?.GapP50Ms),
        new("stream-gap-p99", "stream inter-chunk gap p99", "ms", p => p.Streams?.GapP99Ms),
        new("stream-total", "stream start to [DONE] (median)", "ms", p => p.Streams?.TotalMedianMs),
    ];

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
        var r = result.Resources;
        Line("## Start-up and memory");
        Line();
        Line("| Figure | Value |");
        Line("| --- | ---: |");
        Line($"| Start-up: process start → first 200 from `/health` (median of {r.StartupMs.Count}; min … max) | {Stats.Median(r.StartupMs):F0} ms ({Stats.Min(r.StartupMs):F0} … {Stats.Max(r.StartupMs):F0}) |");
        Line($"| RSS idle 1 s after start-up, before any request (median of {r.Idle.Count}) | {Stats.Median(r.Idle.Select(i => i.RssMb)):F1} MiB (VmHWM {Stats.Median(r.Idle.Select(i => i.HwmMb)):F1} MiB) |");
        if (r.SlowStreams is { } slow)
        {
            Line($"| RSS holding {slow.Requested} concurrent slow streams (largest of 10 samples over 2 s) | {slow.PeakRssMb:F1} MiB (VmHWM {slow.HwmMb:F1} MiB); {slow.Established}/{slow.Requested} established in {slow.RampSeconds:F1} s |");
        }

        foreach (var (process, after) in r.AfterLoad)
        {
            var figure = process switch
            {
                "gateway" => "RSS of the measured gateway after all runs, idle again",
                "gateway-quiet" => "The same, gateway with request log off",
                _ => $"The same, {process}",
            };
            Line($"| {figure} | {after.RssMb:F1} MiB (VmHWM {after.HwmMb:F1} MiB) |");
        }

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

        return sb.ToString();
    }

    public static string ToJson(BenchResult result) => JsonSerializer.Serialize(result, Json) + "\n";

    private static long ErrorSum(IReadOnlyList<RunResult> runs, string path) =>
        runs.Sum(r => r[path].C1.Errors + r[path].C32.Errors);

    private static string Value(double value, string unit) => unit == "req/s"
        ? value.ToString("F0", CultureInfo.InvariantCulture)
        : value.ToString("F3", CultureInfo.InvariantCulture);

    private static string Added(double value, string unit) => unit == "req/s"
        ? (value * 100).ToString("F0", CultureInfo.InvariantCulture) + " % of direct"
        : value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);

    private static string Verdict(string? verdict) => verdict switch
    {
        "met" => "✅ met",
        "missed" => "❌ missed",
        "not judged" => "not judged (wrk correction check above 1)",
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
