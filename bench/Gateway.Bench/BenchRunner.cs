using System.Globalization;
using System.Text.Json;

namespace Gateway.Bench;

/// <summary>One full bench run: resources first, then warm-up and the measured runs.</summary>
internal sealed class BenchRunner
{
    /// <summary>The slow upstream for the memory reading: 300 chunks 100 ms apart, a 30 s stream.</summary>
    private const int SlowChunkDelayMs = 100;
    private const int SlowChunks = 300;

    private readonly BenchOptions _options;
    private readonly string _tempDir;
    private readonly List<string> _problems = [];

    public BenchRunner(BenchOptions options, string tempDir)
    {
        _options = options;
        _tempDir = tempDir;
    }

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>
    /// Start-up times and idle memory of each build (the current one, then the baseline build when there is one),
    /// and its steady-state memory: after <c>BENCH_PASS_STREAMS</c> streams have passed, while holding the slow streams.
    /// </summary>
    public async Task<ResourceResult> MeasureResourcesAsync(CancellationToken cancellationToken)
    {
        Progress($"resources: {_options.Starts} gateway start-ups per build, then {_options.PassStreams} streams passed and {_options.SlowStreams} concurrent slow streams held");
        using var slow = await Services.StartFakeUpstreamAsync(_options, _tempDir, "upstream-slow", SlowChunkDelayMs, SlowChunks, cancellationToken);
        List<BuildResources> builds = [await MeasureBuildAsync("current build", "gateway", null, slow.Root, cancellationToken)];
        if (_options.BaselineDll is { } baselineDll)
        {
            builds.Add(await MeasureBuildAsync("baseline build", "gateway-baseline", baselineDll, slow.Root, cancellationToken));
        }

        // The floor's idle memory, for the idle target beside it: what a bare .NET byte relay holds doing nothing.
        var relayIdle = new List<MemoryReading>();
        for (var i = 1; _options.Relay && i <= _options.Starts; i++)
        {
            using var relay = await Services.StartRelayAsync(_options, _tempDir, $"relay-start{i}", slow.Root, cancellationToken);
            await Task.Delay(1000, cancellationToken);
            relayIdle.Add(relay.Process.ReadMemory());
            Progress($"  relay (floor), start {i}: idle RSS {relayIdle[^1].RssMb:F1} MiB");
        }

        return new ResourceResult { Builds = builds, RelayIdle = relayIdle };
    }

    private async Task<BuildResources> MeasureBuildAsync(string build, string process, string? dll, Uri upstream, CancellationToken cancellationToken)
    {
        var startups = new List<double>();
        var idle = new List<MemoryReading>();
        SteadyStateResult? steady = null;
        for (var i = 1; i <= _options.Starts; i++)
        {
            using var gateway = await Services.StartGatewayAsync(_options, _tempDir, $"{process}-start{i}", dll, upstream, quiet: false, cancellationToken);
            startups.Add(gateway.StartupMs);
            await Task.Delay(1000, cancellationToken);
            idle.Add(gateway.Process.ReadMemory());
            Progress($"  {build}, start {i}: {gateway.StartupMs:F0} ms to first 200 from /health, idle RSS {idle[^1].RssMb:F1} MiB");
            if (i == _options.Starts && _options.SlowStreams > 0)
            {
                steady = await SteadyState.RunAsync(gateway, _options.PassStreams, _options.SlowStreams, cancellationToken);
                Progress($"  {build}: {steady.PassCompleted}/{steady.PassRequested} streams passed in {steady.PassSeconds:F1} s (RSS after {steady.AfterPass.RssMb:F1} MiB); " +
                    $"{steady.HoldEstablished}/{steady.HoldRequested} held after {steady.RampSeconds:F1} s: RSS {steady.PeakRssMb:F1} MiB, HWM {steady.HwmMb:F1} MiB");
                if (steady.PassCompleted < steady.PassRequested)
                {
                    Problem($"{build}: only {steady.PassCompleted} of {steady.PassRequested} passed streams completed ({steady.PassFailed} failed)");
                }

                if (steady.HoldEstablished < steady.HoldRequested)
                {
                    Problem($"{build}: only {steady.HoldEstablished} of {steady.HoldRequested} slow streams were established ({steady.HoldFailed} failed; first error: {steady.FirstError ?? "none"})");
                }
            }
        }

        return new BuildResources { Build = build, Process = process, StartupMs = startups, Idle = idle, SteadyState = steady };
    }

    /// <summary>Warm-up, then the measured runs against every path (direct, gateway and the optional ones).</summary>
    public async Task<LatencyPhase> MeasureLatencyAsync(CancellationToken cancellationToken)
    {
        using var upstream = await Services.StartFakeUpstreamAsync(_options, _tempDir, "upstream", _options.ChunkDelayMs, _options.Chunks, cancellationToken);
        using var gateway = await Services.StartGatewayAsync(_options, _tempDir, "gateway", null, upstream.Root, quiet: false, cancellationToken);
        using var quiet = _options.QuietVariant
            ? await Services.StartGatewayAsync(_options, _tempDir, "gateway-quiet", null, upstream.Root, quiet: true, cancellationToken)
            : null;
        using var baseline = _options.BaselineDll is { } baselineDll
            ? await Services.StartGatewayAsync(_options, _tempDir, "gateway-baseline", baselineDll, upstream.Root, quiet: false, cancellationToken)
            : null;
        using var relay = _options.Relay ? await Services.StartRelayAsync(_options, _tempDir, "relay", upstream.Root, cancellationToken) : null;

        // The order of this list is the order within odd runs (even runs reverse it): the gateway sits between
        // the paths it is compared with (the floor before it, the baseline build after it), so that each
        // comparison is between neighbours in time.
        List<PathSpec> paths = [new(PathNames.Direct, "direct", upstream.ChatUrl, "echo", BenchRequests.ShortUpstreamModel, ApiKind.OpenAI, "upstream", null, Timers: true)];
        if (relay is not null)
        {
            paths.Add(new(PathNames.Relay, "relay (floor)", relay.ChatUrl, "echo", BenchRequests.ShortUpstreamModel, ApiKind.OpenAI, relay.Process.Name, relay.Process.Id, Timers: true));
        }

        paths.Add(Gateway(PathNames.Gateway, "gateway", gateway, ApiKind.OpenAI, timers: true));
        if (baseline is not null)
        {
            paths.Add(Gateway(PathNames.Baseline, "baseline build", baseline, ApiKind.OpenAI, timers: true));
        }

        if (_options.Anthropic)
        {
            paths.Add(Gateway(PathNames.Anthropic, "gateway, Anthropic Messages in", gateway, ApiKind.Anthropic, timers: true));
        }

        if (quiet is not null)
        {
            paths.Add(Gateway(PathNames.Quiet, "gateway, request log off", quiet, ApiKind.OpenAI, timers: false));
        }

        var timed = paths.Where(p => p.Timers).ToList();
        using var streamTimer = new StreamTimer();
        using var latencyTimer = new LatencyTimer();
        await CheckAsync(paths, streamTimer, cancellationToken);

        if (_options.WarmupSeconds > 0)
        {
            Progress($"warm-up: {_options.WarmupSeconds} s at c=32 and 2 s at c=1 per path, 3 streams and 30 short streams per path");
            foreach (var path in paths)
            {
                var warm = await Wrk.RunAsync(_options, _tempDir, path, 2, 32, _options.WarmupSeconds, cancellationToken);
                CheckErrors($"warm-up c=32 {path.Name}", warm);
                warm = await Wrk.RunAsync(_options, _tempDir, path, 1, 1, 2, cancellationToken);
                CheckErrors($"warm-up c=1 {path.Name}", warm);
            }

            for (var i = 0; i < 3; i++)
            {
                foreach (var path in timed)
                {
                    await latencyTimer.RunAsync(path, 1, cancellationToken);
                }

                foreach (var path in timed)
                {
                    await streamTimer.TimeAsync(path, cancellationToken);
                    for (var j = 0; j < 10; j++)
                    {
                        await streamTimer.TimeAsync(path, cancellationToken, shortStream: true);
                    }
                }
            }
        }

        var meter = new ForeignCpuMeter(() => paths.Select(p => p.Pid ?? upstream.Process.Id).Distinct());
        var runs = new List<RunResult>();
        for (var run = 1; run <= _options.Runs; run++)
        {
            // Alternate the order run by run so that drift on the shared machine does not favour one path.
            var order = run % 2 == 1 ? paths : [.. Enumerable.Reverse(paths)];
            var c1 = new Dictionary<string, WrkResult>();
            var c32 = new Dictionary<string, WrkResult>();
            var c1Timer = new Dictionary<string, LatencyRun>();
            var gatewayCpu = new Dictionary<string, double?>();
            var upstreamCpu = new Dictionary<string, double>();
            foreach (var path in order)
            {
                c1[path.Name] = await Wrk.RunAsync(_options, _tempDir, path, 1, 1, _options.DurationSeconds, cancellationToken);
                CheckErrors($"run {run} c=1 {path.Name}", c1[path.Name]);
            }

            foreach (var path in order.Where(p => p.Timers))
            {
                var result = await latencyTimer.RunAsync(path, _options.DurationSeconds, cancellationToken);
                c1Timer[path.Name] = result;
                if (result.Errors > 0)
                {
                    Problem($"run {run} c=1 bench timer {path.Name}: {result.Errors} non-2xx answers in {result.Requests} requests");
                }
            }

            foreach (var path in order)
            {
                var upstreamBefore = Cpu.ProcessMs(upstream.Process.Id);
                var gatewayBefore = path.Pid is { } pid ? Cpu.ProcessMs(pid) : double.NaN;
                var result = await Wrk.RunAsync(_options, _tempDir, path, 2, 32, _options.DurationSeconds, cancellationToken);
                c32[path.Name] = result;
                upstreamCpu[path.Name] = (Cpu.ProcessMs(upstream.Process.Id) - upstreamBefore) * 1000.0 / result.Requests;
                gatewayCpu[path.Name] = path.Pid is { } p ? (Cpu.ProcessMs(p) - gatewayBefore) * 1000.0 / result.Requests : null;
                CheckErrors($"run {run} c=32 {path.Name}", result);
            }

            var samples = timed.ToDictionary(p => p.Name, _ => new List<StreamSample>());
            for (var i = 0; i < _options.StreamsPerRun; i++)
            {
                foreach (var path in (run + i) % 2 == 0 ? timed : Enumerable.Reverse(timed))
                {
                    samples[path.Name].Add(await streamTimer.TimeAsync(path, cancellationToken));
                }
            }

            var streams = samples.ToDictionary(p => p.Key, p => StreamRunStats.From(p.Value, _options.Chunks));
            foreach (var (name, stats) in streams.Where(s => s.Value.Incomplete > 0))
            {
                Problem($"run {run}: {stats.Incomplete} of {stats.Requests} {name} streams did not bring {_options.Chunks} content chunks and their end event");
            }

            var shortSamples = timed.ToDictionary(p => p.Name, _ => new List<StreamSample>(_options.TtfbStreams));
            for (var i = 0; i < _options.TtfbStreams; i++)
            {
                foreach (var path in (run + i) % 2 == 0 ? timed : Enumerable.Reverse(timed))
                {
                    shortSamples[path.Name].Add(await streamTimer.TimeAsync(path, cancellationToken, shortStream: true));
                }
            }

            var shortStreams = shortSamples.ToDictionary(p => p.Key, p => ShortStreamStats.From(p.Value));
            foreach (var (name, stats) in shortStreams.Where(s => s.Value.Incomplete > 0))
            {
                Problem($"run {run}: {stats.Incomplete} of {stats.Requests} {name} short streams did not bring their content chunk and end event");
            }

            var runResult = new RunResult
            {
                Run = run,
                Paths = paths.ToDictionary(p => p.Name, p => new PathRun
                {
                    Path = p.Name,
                    C1 = c1[p.Name],
                    C32 = c32[p.Name],
                    C1Timer = c1Timer.GetValueOrDefault(p.Name),
                    C32GatewayCpuUs = gatewayCpu[p.Name],
                    C32UpstreamCpuUs = upstreamCpu[p.Name],
                    Streams = streams.GetValueOrDefault(p.Name),
                    ShortStreams = shortStreams.GetValueOrDefault(p.Name),
                }),
            };
            runs.Add(runResult);
            Progress($"run {run}/{_options.Runs}: {RunLine(runResult)}");
        }

        var (foreign, steal) = meter.Shares();
        if (foreign > 0.05)
        {
            Problem($"other processes used {foreign:P0} of the machine's CPU during the measured runs: the figures are disturbed");
        }

        var afterLoad = new[] { gateway, quiet, baseline, relay }.OfType<Service>().ToDictionary(g => g.Process.Name, g => g.Process.ReadMemory());

        return new LatencyPhase(runs, [.. paths.Select(p => p.Info())], afterLoad, foreign, steal);
    }

    private static PathSpec Gateway(string name, string label, Service service, ApiKind api, bool timers) =>
        new(name, label, api == ApiKind.Anthropic ? service.MessagesUrl : service.ChatUrl, "demo-model", BenchRequests.ShortGatewayModel, api, service.Process.Name, service.Process.Id, timers);

    /// <summary>The progress line of one run: what the gateway added, and how it compares with the baseline build.</summary>
    private static string RunLine(RunResult run)
    {
        var d = run[PathNames.Direct];
        var g = run[PathNames.Gateway];
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"c=1 added p50/p99 wrk {g.C1.P50Ms - d.C1.P50Ms:F3}/{g.C1.P99Ms - d.C1.P99Ms:F3} ms, " +
            $"timer {g.C1Timer!.P50Ms - d.C1Timer!.P50Ms:F3}/{g.C1Timer.P99Ms - d.C1Timer.P99Ms:F3} ms; " +
            $"c=32 {d.C32.RequestsPerSecond:F0} vs {g.C32.RequestsPerSecond:F0} req/s; " +
            $"added TTFB {g.Streams!.TtfbMedianMs - d.Streams!.TtfbMedianMs:F3} ms");
        if (run.Paths.TryGetValue(PathNames.Relay, out var r))
        {
            line += string.Create(
                CultureInfo.InvariantCulture,
                $"; floor: c=32 {g.C32.RequestsPerSecond / r.C32.RequestsPerSecond:P0} of relay, added timer p50 {g.C1Timer.P50Ms - d.C1Timer.P50Ms:F3} vs {r.C1Timer!.P50Ms - d.C1Timer.P50Ms:F3} ms, " +
                $"added TTFB p99 {g.ShortStreams!.TtfbP99Ms - d.ShortStreams!.TtfbP99Ms:F3} vs {r.ShortStreams!.TtfbP99Ms - d.ShortStreams.TtfbP99Ms:F3} ms, " +
                $"added first-content delivery p99 {g.ShortStreams.DeliveryP99Ms - d.ShortStreams.DeliveryP99Ms:F3} vs {r.ShortStreams.DeliveryP99Ms - d.ShortStreams.DeliveryP99Ms:F3} ms");
        }

        if (run.Paths.TryGetValue(PathNames.Baseline, out var b))
        {
            line += string.Create(
                CultureInfo.InvariantCulture,
                $"; gateway − baseline: timer p50/p99 {g.C1Timer.P50Ms - b.C1Timer!.P50Ms:F3}/{g.C1Timer.P99Ms - b.C1Timer.P99Ms:F3} ms, " +
                $"c=32 {g.C32.RequestsPerSecond / b.C32.RequestsPerSecond:P0} of baseline, TTFB {g.Streams.TtfbMedianMs - b.Streams!.TtfbMedianMs:F3} ms");
        }

        if (run.Paths.TryGetValue(PathNames.Anthropic, out var a))
        {
            line += string.Create(
                CultureInfo.InvariantCulture,
                $"; translation (anthropic − gateway): timer p50/p99 {a.C1Timer!.P50Ms - g.C1Timer.P50Ms:F3}/{a.C1Timer.P99Ms - g.C1Timer.P99Ms:F3} ms, " +
                $"TTFB {a.Streams!.TtfbMedianMs - g.Streams.TtfbMedianMs:F3} ms");
        }

        return line;
    }

    /// <summary>
    /// One request per path before anything is timed: 200 and the echo answer, and a stream with every content
    /// chunk and its end event; a <see cref="CheckFailedException"/> otherwise.
    /// </summary>
    private async Task CheckAsync(IReadOnlyList<PathSpec> paths, StreamTimer timer, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var path in paths)
        {
            var anthropic = path.Api == ApiKind.Anthropic;
            using var request = path.Request(stream: false);
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var expected = anthropic
                ? $"200 and an Anthropic message (\"type\":\"message\") whose content[0].text contains \"{BenchRequests.EchoText}\""
                : $"200 and a completion that contains \"{BenchRequests.EchoText}\"";
            var ok = response.IsSuccessStatusCode && (anthropic ? IsAnthropicEcho(body) : body.Contains(BenchRequests.EchoText, StringComparison.Ordinal));
            if (!ok)
            {
                throw new CheckFailedException(
                    $"{path.Name}: POST {path.Url} answered {(int)response.StatusCode} {Shorten(body)}; expected {expected}.{Hint(path, (int)response.StatusCode)}");
            }

            StreamSample sample;
            try
            {
                sample = await timer.TimeAsync(path, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new CheckFailedException($"{path.Name}: the stream request failed: {Shorten(ex.Message)}.{Hint(path, (int?)ex.StatusCode ?? 0)}", ex);
            }

            var end = anthropic ? "content_block_delta events and message_stop" : "content chunks and data: [DONE]";
            if (!sample.Done || sample.ContentEvents != _options.Chunks)
            {
                throw new CheckFailedException(
                    $"{path.Name}: the stream brought {sample.ContentEvents} content events (end event seen: {sample.Done}" +
                    $"{(sample.Error is null ? "" : $", error event: {Shorten(sample.Error)}")}), expected {_options.Chunks} {end}.");
            }

            sample = await timer.TimeAsync(path, cancellationToken, shortStream: true);
            if (!sample.Done || sample.ContentEvents != 1)
            {
                throw new CheckFailedException(
                    $"{path.Name}: the short stream (model {path.ShortModel}) brought {sample.ContentEvents} content events (end event seen: {sample.Done}" +
                    $"{(sample.Error is null ? "" : $", error event: {Shorten(sample.Error)}")}), expected 1 of the {end}.");
            }

            if (double.IsNaN(sample.DeliveryMs))
            {
                throw new CheckFailedException(
                    $"{path.Name}: the short stream's content carried no @sent: timestamp, so its delivery cannot be timed " +
                    "(a fake upstream built before the stamp, or a path that changed the content text).");
            }
        }
    }

    /// <summary>True when <paramref name="body"/> is an Anthropic message whose <c>content[0].text</c> has the echo text.</summary>
    private static bool IsAnthropicEcho(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("type", out var type) && type.ValueEquals("message")
                && root.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array && content.GetArrayLength() > 0
                && content[0].ValueKind == JsonValueKind.Object
                && content[0].TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                && text.GetString()!.Contains(BenchRequests.EchoText, StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What to do about a failed check of the Anthropic path: the endpoint may not exist yet.</summary>
    private static string Hint(PathSpec path, int status) => path.Api != ApiKind.Anthropic ? "" : status is 404 or 405
        ? " This gateway build does not serve the Anthropic Messages API (POST /v1/messages) yet; run without BENCH_ANTHROPIC=1 until it does."
        : " BENCH_ANTHROPIC=1 measures the gateway's Anthropic Messages endpoint; its answer does not match what the bench expects (see bench/README.md).";

    private static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "(empty body)" : text.Length <= 300 ? text : text[..300] + " …";
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
    IReadOnlyList<RunResult> Runs,
    IReadOnlyList<PathInfo> Paths,
    IReadOnlyDictionary<string, MemoryReading> AfterLoad,
    double ForeignCpuShare,
    double StealShare);

/// <summary>The check step found a path that does not answer as the bench expects; the message says which and why.</summary>
internal sealed class CheckFailedException : Exception
{
    public CheckFailedException()
    {
    }

    public CheckFailedException(string message)
        : base(message)
    {
    }

    public CheckFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
