using System.Globalization;
using System.Text;

namespace Gateway.Bench;

/// <summary>
/// What metrics and traces cost: two gateways of the same build in front of one fake upstream, one with
/// telemetry on as shipped (the meter, the Prometheus exporter's aggregation, the stats listener and the
/// activity source with a tracer provider, but no exporter sending anything) and one with
/// <c>Gateway__Telemetry__Enabled=false</c>. Each run measures both with wrk at c=32, in alternating order;
/// the verdict is on the median of the per-run ratios on ÷ off (target: at least 95 %).
/// </summary>
internal static class TelemetryCost
{
    private const double Target = 0.95;

    public static async Task<int> RunAsync(BenchOptions options, string tempDir, CancellationToken cancellationToken)
    {
        var timestamp = DateTime.UtcNow;
        var machine = await MachineInfo.CollectAsync(options);
        BenchRunner.Progress($"telemetry cost: {machine.CpuCount} × {machine.CpuModel}, commit {machine.Commit}{(machine.CommitDirty ? " (uncommitted changes)" : "")}");
        using var upstream = await Services.StartFakeUpstreamAsync(options, tempDir, "upstream", options.ChunkDelayMs, options.Chunks, cancellationToken);
        using var on = await Services.StartGatewayAsync(options, tempDir, "gateway-telemetry-on", null, upstream.Root, quiet: false, cancellationToken);
        using var off = await Services.StartGatewayAsync(options, tempDir, "gateway-telemetry-off", null, upstream.Root, quiet: false, cancellationToken,
            new Dictionary<string, string> { ["Gateway__Telemetry__Enabled"] = "false" });
        var onPath = new PathSpec("telemetry-on", "telemetry on (no exporter)", on.ChatUrl, "demo-model", BenchRequests.ShortGatewayModel, ApiKind.OpenAI, on.Process.Name, on.Process.Id, Timers: false);
        var offPath = new PathSpec("telemetry-off", "telemetry off", off.ChatUrl, "demo-model", BenchRequests.ShortGatewayModel, ApiKind.OpenAI, off.Process.Name, off.Process.Id, Timers: false);

        foreach (var path in new[] { onPath, offPath })
        {
            BenchRunner.Progress($"warm-up {path.Name}: {options.WarmupSeconds} s at c=32");
            await Wrk.RunAsync(options, tempDir, path, 2, 32, Math.Max(1, options.WarmupSeconds), cancellationToken);
        }

        var foreign = new ForeignCpuMeter(() => [upstream.Process.Id, on.Process.Id, off.Process.Id]);
        var runs = new List<(double On, double Off, long Errors, bool OnFirst)>();
        var cpu = new List<(double On, double Off)>();
        for (var run = 0; run < options.Runs; run++)
        {
            var onFirst = run % 2 == 0;
            var results = new Dictionary<string, WrkResult>();
            var cpuPerRequest = new Dictionary<string, double>();
            foreach (var path in onFirst ? new[] { onPath, offPath } : [offPath, onPath])
            {
                var before = Cpu.ProcessMs(path.Pid!.Value);
                results[path.Name] = await Wrk.RunAsync(options, tempDir, path, 2, 32, options.DurationSeconds, cancellationToken);
                cpuPerRequest[path.Name] = (Cpu.ProcessMs(path.Pid.Value) - before) * 1000.0 / Math.Max(1, results[path.Name].Requests);
            }

            cpu.Add((cpuPerRequest[onPath.Name], cpuPerRequest[offPath.Name]));

            var entry = (results[onPath.Name].RequestsPerSecond, results[offPath.Name].RequestsPerSecond, results[onPath.Name].Errors + results[offPath.Name].Errors, onFirst);
            runs.Add(entry);
            BenchRunner.Progress($"run {run + 1}/{options.Runs}: on {entry.Item1:F0} req/s, off {entry.Item2:F0} req/s, ratio {entry.Item1 / entry.Item2:P1}; gateway CPU {cpu[^1].On:F0} vs {cpu[^1].Off:F0} µs/request");
        }

        var (foreignShare, steal) = foreign.Shares();
        var ratios = runs.Select(r => r.On / r.Off).ToList();
        var median = Stats.Median(ratios);
        var errors = runs.Sum(r => r.Errors);
        var met = median >= Target && errors == 0;

        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        Line($"# Telemetry cost — {timestamp.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}");
        Line();
        Line($"Commit {machine.Commit}{(machine.CommitDirty ? " (with uncommitted changes)" : "")}, {machine.CpuCount} × {machine.CpuModel}, {machine.Runtime}, {machine.Wrk}.");
        Line($"Two gateways of this build in front of one fake upstream; wrk -t2 -c32 -d{options.DurationSeconds}s per gateway per run, order alternating; {options.WarmupSeconds} s warm-up each.");
        Line($"Other processes used {foreignShare:P0} of the CPU during the measured runs (hypervisor steal {steal:P0}); load generator, upstream and both gateways share the same cores.");
        Line();
        Line("| Run | Order | Telemetry on (req/s) | Telemetry off (req/s) | On ÷ off | Gateway CPU on (µs/req) | Gateway CPU off (µs/req) |");
        Line("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        for (var i = 0; i < runs.Count; i++)
        {
            Line($"| {i + 1} | {(runs[i].OnFirst ? "on, off" : "off, on")} | {runs[i].On:F0} | {runs[i].Off:F0} | {ratios[i]:P1} | {cpu[i].On:F0} | {cpu[i].Off:F0} |");
        }

        Line();
        Line($"**Median of {runs.Count} runs: on {Stats.Median(runs.Select(r => r.On)):F0} req/s, off {Stats.Median(runs.Select(r => r.Off)):F0} req/s; " +
             $"on ÷ off {median:P1} (spread {Stats.Min(ratios):P1} … {Stats.Max(ratios):P1}).** Target: ≥ {Target:P0} (telemetry costs at most 5 % of c=32 throughput). " +
             $"Verdict: {(met ? "✅ met" : "❌ missed")}. Errors (non-2xx + socket): {errors}.");
        var cpuRatios = cpu.Select(c => c.On / c.Off).ToList();
        Line();
        Line($"Gateway process CPU per request (user + system from /proc, 10 ms ticks ÷ requests; less disturbed by other processes than throughput): " +
             $"on {Stats.Median(cpu.Select(c => c.On)):F0} µs, off {Stats.Median(cpu.Select(c => c.Off)):F0} µs; on ÷ off {Stats.Median(cpuRatios):P1} " +
             $"(spread {Stats.Min(cpuRatios):P1} … {Stats.Max(cpuRatios):P1}).");
        var markdown = md.ToString();

        Directory.CreateDirectory(options.ResultsDir);
        var file = Path.Combine(options.ResultsDir, "telemetry-" + timestamp.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".md");
        await File.WriteAllTextAsync(file, markdown, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "telemetry-latest.md"), markdown, cancellationToken);
        Console.Write(markdown);
        BenchRunner.Progress($"results: {file} (and telemetry-latest.md)");
        return errors > 0 ? 3 : 0;
    }
}
