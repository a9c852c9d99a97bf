using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Gateway.Bench;

/// <summary>One full bench run: resources first, then warm-up and the measured runs.</summary>
internal sealed class BenchRunner
{
    /// <summary>The slow upstream for the memory reading: 300 chunks 100 ms apart, a 30 s stream.</summary>
    private const int SlowChunkDelayMs = 100;
    private const int SlowChunks = 300;

    /// <summary>The gateway with per-request logging off: wrk-measured only.</summary>
    private const string QuietName = "gateway-quiet";

    private readonly BenchOptions _options;
    private readonly string _tempDir;
    private readonly List<string> _problems = [];

    public BenchRunner(BenchOptions options, string tempDir)
    {
        _options = options;
        _tempDir = tempDir;
    }

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>A path under test; <paramref name="Pid"/> is the gateway process on the way, if any.</summary>
    private sealed record Target(string Name, Uri Url, string Model, int? Pid);

    /// <summary>Gateway start-up times, idle memory, and memory while holding the slow streams.</summary>
    public async Task<ResourceResult> MeasureResourcesAsync(CancellationToken cancellationToken)
    {
        Progress($"resources: {_options.Starts} gateway start-ups, then {_options.SlowStreams} concurrent slow streams");
        using var slow = await Services.StartFakeUpstreamAsync(_options, _tempDir, "upstream-slow", SlowChunkDelayMs, SlowChunks, cancellationToken);
        var startups = new List<double>();
        var idle = new List<MemoryReading>();
        SlowStreamResult? slowResult = null;
        for (var i = 1; i <= _options.Starts; i++)
        {
            using var gateway = await Services.StartGatewayAsync(_options, _tempDir, $"gateway-start{i}", slow.Root, quiet: false, cancellationToken);
            startups.Add(gateway.StartupMs);
            await Task.Delay(1000, cancellationToken);
            idle.Add(gateway.Process.ReadMemory());
            Progress($"  start {i}: {gateway.StartupMs:F0} ms to first 200 from /health, idle RSS {idle[^1].RssMb:F1} MiB");
            if (i == _options.Starts && _options.SlowStreams > 0)
            {
                slowResult = await SlowStreams.RunAsync(gateway, _options.SlowStreams, cancellationToken);
                Progress($"  {slowResult.Established}/{slowResult.Requested} streams open after {slowResult.RampSeconds:F1} s: " +
                    $"RSS {slowResult.PeakRssMb:F1} MiB, HWM {slowResult.HwmMb:F1} MiB");
                if (slowResult.Established < slowResult.Requested)
                {
                    Problem($"only {slowResult.Established} of {slowResult.Requested} slow streams were established ({slowResult.Failed} failed; first error: {slowResult.FirstError ?? "none"})");
                }
            }
        }

        return new ResourceResult { StartupMs = startups, Idle = idle, SlowStreams = slowResult };
    }

    /// <summary>Warm-up, then the measured runs against direct, gateway and (optionally) the quiet gateway.</summary>
    public async Task<LatencyPhase> MeasureLatencyAsync(CancellationToken cancellationToken)
    {
        using var upstream = await Services.StartFakeUpstreamAsync(_options, _tempDir, "upstream", _options.ChunkDelayMs, _options.Chunks, cancellationToken);
        using var gateway = await Services.StartGatewayAsync(_options, _tempDir, "gateway", upstream.Root, quiet: false, cancellationToken);
        using var quiet = _options.QuietVariant
            ? await Services.StartGatewayAsync(_options, _tempDir, "gateway-quiet", upstream.Root, quiet: true, cancellationToken)
            : null;
        var direct = new Target("direct", upstream.ChatUrl, "echo", null);
        var viaGateway = new Target("gateway", gateway.ChatUrl, "demo-model", gateway.Process.Id);
        List<Target> targets = [direct, viaGateway];
        if (quiet is not null)
        {
            targets.Add(new Target(QuietName, quiet.ChatUrl, "demo-model", quiet.Process.Id));
        }

        using var streamTimer = new StreamTimer();
        using var latencyTimer = new LatencyTimer();
        await CheckAsync(targets, streamTimer, cancellationToken);

        if (_options.WarmupSeconds > 0)
        {
            Progress($"warm-up: {_options.WarmupSeconds} s at c=32 and 2 s at c=1 per path, 3 streams per path");
            foreach (var target in targets)
            {
                var warm = await Wrk.RunAsync(_options, _tempDir, target.Url, target.Model, 2, 32, _options.WarmupSeconds, cancellationToken);
                CheckErrors($"warm-up c=32 {target.Name}", warm);
                warm = await Wrk.RunAsync(_options, _tempDir, target.Url, target.Model, 1, 1, 2, cancellationToken);
                CheckErrors($"warm-up c=1 {target.Name}", warm);
            }

            for (var i = 0; i < 3; i++)
            {
                await latencyTimer.RunAsync(direct.Url, direct.Model, 1, cancellationToken);
                await latencyTimer.RunAsync(viaGateway.Url, viaGateway.Model, 1, cancellationToken);
                await streamTimer.TimeAsync(direct.Url, StreamTimer.Body(direct.Model), cancellationToken);
                await streamTimer.TimeAsync(viaGateway.Url, StreamTimer.Body(viaGateway.Model), cancellationToken);
            }
        }

        var meter = new ForeignCpuMeter(() => targets.Select(t => t.Pid ?? upstream.Process.Id).Distinct());
        var runs = new List<RunResult>();
        for (var run = 1; run <= _options.Runs; run++)
        {
            // Alternate the order run by run so that drift on the shared machine does not favour one path.
            var order = run % 2 == 1 ? targets : [.. Enumerable.Reverse(targets)];
            var c1 = new Dictionary<string, WrkResult>();
            var c32 = new Dictionary<string, WrkResult>();
            var timed = new Dictionary<string, LatencyRun>();
            var gatewayCpu = new Dictionary<string, double?>();
            var upstreamCpu = new Dictionary<string, double>();
            foreach (var target in order)
            {
                c1[target.Name] = await Wrk.RunAsync(_options, _tempDir, target.Url, target.Model, 1, 1, _options.DurationSeconds, cancellationToken);
                CheckErrors($"run {run} c=1 {target.Name}", c1[target.Name]);
            }

            foreach (var target in order.Where(t => t.Name != QuietName))
            {
                timed[target.Name] = await latencyTimer.RunAsync(target.Url, target.Model, _options.DurationSeconds, cancellationToken);
                if (timed[target.Name].Errors > 0)
                {
                    Problem($"run {run} c=1 bench timer {target.Name}: {timed[target.Name].Errors} non-2xx answers in {timed[target.Name].Requests} requests");
                }
            }

            foreach (var target in order)
            {
                var upstreamBefore = Cpu.ProcessMs(upstream.Process.Id);
                var gatewayBefore = target.Pid is { } pid ? Cpu.ProcessMs(pid) : double.NaN;
                var result = await Wrk.RunAsync(_options, _tempDir, target.Url, target.Model, 2, 32, _options.DurationSeconds, cancellationToken);
                c32[target.Name] = result;
                upstreamCpu[target.Name] = (Cpu.ProcessMs(upstream.Process.Id) - upstreamBefore) * 1000.0 / result.Requests;
                gatewayCpu[target.Name] = target.Pid is { } p ? (Cpu.ProcessMs(p) - gatewayBefore) * 1000.0 / result.Requests : null;
                CheckErrors($"run {run} c=32 {target.Name}", result);
            }

            var samples = new Dictionary<string, List<StreamSample>> { [direct.Name] = [], [viaGateway.Name] = [] };
            for (var i = 0; i < _options.StreamsPerRun; i++)
            {
                var pair = (run + i) % 2 == 0 ? new[] { direct, viaGateway } : [viaGateway, direct];
                foreach (var target in pair)
                {
                    samples[target.Name].Add(await streamTimer.TimeAsync(target.Url, StreamTimer.Body(target.Model), cancellationToken));
                }
            }

            var streams = samples.ToDictionary(p => p.Key, p => StreamRunStats.From(p.Value, _options.Chunks));
            foreach (var (name, stats) in streams.Where(s => s.Value.Incomplete > 0))
            {
                Problem($"run {run}: {stats.Incomplete} of {stats.Requests} {name} streams did not bring {_options.Chunks} content chunks and [DONE]");
            }

            PathRun Path(Target t) => new()
            {
                Path = t.Name,
                C1 = c1[t.Name],
                C32 = c32[t.Name],
                C1Timer = timed.GetValueOrDefault(t.Name),
                C32GatewayCpuUs = gatewayCpu[t.Name],
                C32UpstreamCpuUs = upstreamCpu[t.Name],
                Streams = streams.GetValueOrDefault(t.Name),
            };

            var runResult = new RunResult
            {
                Run = run,
                Direct = Path(direct),
                Gateway = Path(viaGateway),
                GatewayQuiet = quiet is null ? null : Path(targets[2]),
            };
            runs.Add(runResult);
            var d = runResult.Direct;
            var g = runResult.Gateway;
            Progress(string.Create(
                CultureInfo.InvariantCulture,
                $"run {run}/{_options.Runs}: c=1 added p50/p99 wrk {g.C1.P50Ms - d.C1.P50Ms:F3}/{g.C1.P99Ms - d.C1.P99Ms:F3} ms, " +
                $"timer {g.C1Timer!.P50Ms - d.C1Timer!.P50Ms:F3}/{g.C1Timer.P99Ms - d.C1Timer.P99Ms:F3} ms; " +
                $"c=32 {d.C32.RequestsPerSecond:F0} vs {g.C32.RequestsPerSecond:F0} req/s; " +
                $"added TTFB {g.Streams!.TtfbMedianMs - d.Streams!.TtfbMedianMs:F3} ms"));
        }

        var (foreign, steal) = meter.Shares();
        if (foreign > 0.05)
        {
            Problem($"other processes used {foreign:P0} of the machine's CPU during the measured runs: the figures are disturbed");
        }

        return new LatencyPhase(runs, gateway.Process.ReadMemory(), quiet?.Process.ReadMemory(), foreign, steal);
    }

    /// <summary>One request per path before anything is timed: 200 and the echo answer, 64 chunks when streamed.</summary>
    private async Task CheckAsync(IReadOnlyList<Target> targets, StreamTimer timer, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var target in targets)
        {
            var json = "{\"model\":\"" + target.Model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the benchmark\"}],\"max_tokens\":16}";
            using var content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            using var response = await client.PostAsync(target.Url, content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode || !body.Contains("echo: Say hello to the benchmark", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{target.Name} ({target.Url}) answered {(int)response.StatusCode}: {body}");
            }

            var sample = await timer.TimeAsync(target.Url, StreamTimer.Body(target.Model), cancellationToken);
            if (!sample.Done || sample.ContentEvents != _options.Chunks)
            {
                throw new InvalidOperationException($"{target.Name} stream brought {sample.ContentEvents} content events (done: {sample.Done}), expected {_options.Chunks}");
            }
        }
    }

    private void CheckErrors(string what, WrkResult result)
    {
        if (result.Errors > 0)
        {
            Problem($"{what}: wrk counted errors ({result.ErrorText}) in {result.Requests} requests");
        }
    }

    private void Problem(string message)
    {
        _problems.Add(message);
        Progress("!!! ERROR: " + message);
    }

    public static void Progress(string message) =>
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");
}

/// <summary>What <see cref="BenchRunner.MeasureLatencyAsync"/> measured.</summary>
internal sealed record LatencyPhase(
    IReadOnlyList<RunResult> Runs, MemoryReading AfterLoad, MemoryReading? AfterLoadQuiet, double ForeignCpuShare, double StealShare);
