using System.Diagnostics;
using System.Runtime.InteropServices;
using Gateway.Bench;

// One full gateway bench run; bench/run.sh builds everything first. See bench/README.md.
// Exit codes: 0 done, 1 failed, 2 bad settings or missing build, 3 done but errors were counted, 130 interrupted.
// `--self-check` only checks the stream timer's SSE parsing on canned streams (no processes, no results).
if (args is ["--self-check"])
{
    return await SelfCheck.RunAsync();
}

// `--formats` (bench/formats.sh): only the format-cost run (FormatCost), which needs no relay or wrk.
// `--telemetry-cost` measures only what metrics and traces cost (see bench/README.md "Telemetry cost").
var formats = args is ["--formats", ..];
var telemetryCost = args.Contains("--telemetry-cost");
BenchOptions options;
try
{
    var rest = args is ["--formats", .. var afterFormats] ? afterFormats : args;
    options = BenchOptions.FromEnvironment([.. rest.Where(a => a != "--telemetry-cost")]);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

foreach (var file in new[] { options.GatewayDll, options.FakeUpstreamDll, options.WrkScript, options.WrkAnthropicScript, options.Relay && !formats ? options.RelayDll : null }.OfType<string>())
{
    if (!File.Exists(file))
    {
        await Console.Error.WriteLineAsync($"missing {file}: run bench/run.sh, which builds the gateway, the fake upstream and the relay in Release");
        return 2;
    }
}

if (options.BaselineDll is { } baselineDll && !File.Exists(baselineDll))
{
    await Console.Error.WriteLineAsync($"BENCH_BASELINE_DLL: missing {baselineDll} (the other build's src/Server/bin/Release/net10.0/Gateway.Server.dll, or a Native AOT Gateway.Server executable)");
    return 2;
}

using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    BenchRunner.Progress($"{context.Signal}: stopping, ending the child processes");
    stop.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcess.KillAll();

var tempDir = Directory.CreateTempSubdirectory("gateway-bench-").FullName;
var started = Stopwatch.GetTimestamp();
try
{
    await WaitForQuietAsync(options.WaitQuietSeconds, stop.Token);
    if (formats)
    {
        // bench/formats.sh: what Responses in and the chat-site tool stage add at c=1 (FormatCost).
        return await FormatCost.RunAsync(options, stop.Token);
    }

    if (telemetryCost)
    {
        return await TelemetryCost.RunAsync(options, tempDir, stop.Token);
    }

    var timestamp = DateTime.UtcNow;
    var machine = await MachineInfo.CollectAsync(options);
    BenchRunner.Progress($"gateway bench: {machine.CpuCount} × {machine.CpuModel}, {machine.Runtime}, {machine.Wrk}, commit {machine.Commit}");
    var baseline = options.BaselineDll is { } dll ? await BaselineBuild.CollectAsync(dll) : null;
    if (baseline is not null)
    {
        BenchRunner.Progress($"baseline build: {baseline.Dll}, commit {baseline.Commit ?? "unknown (not in a git checkout)"}{(baseline.CommitDirty ? " (with uncommitted changes)" : "")}, dll written {baseline.DllWrittenUtc}");
    }

    var runner = new BenchRunner(options, tempDir);
    var resources = await runner.MeasureResourcesAsync(stop.Token);
    if (options.ResourcesOnly)
    {
        BenchRunner.Progress($"BENCH_RESOURCES_ONLY: done, nothing written; GC of the current build: {RuntimeSettings.Read(options.GatewayDll).GcMode}");
        return runner.Problems.Count > 0 ? 3 : 0;
    }

    var latency = await runner.MeasureLatencyAsync(stop.Token);
    var runtimes = new Dictionary<string, RuntimeSettings> { ["gateway"] = RuntimeSettings.Read(options.GatewayDll) };
    if (options.BaselineDll is { } baselineRuntime)
    {
        runtimes["gateway-baseline"] = RuntimeSettings.Read(baselineRuntime);
    }

    if (options.Relay)
    {
        runtimes["relay"] = RuntimeSettings.Read(options.RelayDll);
    }

    runtimes["upstream"] = RuntimeSettings.Read(options.FakeUpstreamDll);
    var result = new BenchResult
    {
        TimestampUtc = timestamp.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        Machine = machine,
        Settings = BenchSettings.From(options),
        Paths = latency.Paths,
        Summary = Report.Summarize(latency.Runs),
        Comparisons = Report.Compare(latency.Runs),
        Floor = Report.CompareWithFloor(latency.Runs),
        Baseline = baseline,
        Runs = latency.Runs,
        Resources = resources with { AfterLoad = latency.AfterLoad },
        Runtimes = runtimes,
        Problems = runner.Problems,
        ForeignCpuShare = latency.ForeignCpuShare,
        StealShare = latency.StealShare,
        WallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
    };

    var markdown = Report.Markdown(result);
    var json = Report.ToJson(result);
    Directory.CreateDirectory(options.ResultsDir);
    var stem = Path.Combine(options.ResultsDir, timestamp.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture));
    await File.WriteAllTextAsync(stem + ".md", markdown);
    await File.WriteAllTextAsync(stem + ".json", json);
    await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "latest.md"), markdown);
    await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "latest.json"), json);
    Console.Write(markdown);
    BenchRunner.Progress($"results: {stem}.md, {stem}.json (and latest.md/latest.json)");
    if (runner.Problems.Count > 0)
    {
        BenchRunner.Progress($"!!! {runner.Problems.Count} ERROR(S) were counted; see the ERRORS section of the report");
        return 3;
    }

    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    BenchRunner.Progress("interrupted; no results written");
    return 130;
}
catch (CheckFailedException ex)
{
    BenchRunner.Progress("bench failed at the check step, before anything was measured: " + ex.Message);
    return 1;
}
catch (Exception ex)
{
    BenchRunner.Progress("bench failed: " + ex);
    return 1;
}
finally
{
    ChildProcess.KillAll();
    if (options.KeepLogs)
    {
        BenchRunner.Progress($"child process output kept in {tempDir}");
    }
    else
    {
        try
        {
            Directory.Delete(tempDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

static async Task WaitForQuietAsync(int seconds, CancellationToken cancellationToken)
{
    var deadline = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
    while (true)
    {
        var busy = await Cpu.BusyShareAsync(TimeSpan.FromSeconds(3), cancellationToken);
        if (busy < 0.10)
        {
            return;
        }

        if (Stopwatch.GetTimestamp() >= deadline)
        {
            BenchRunner.Progress($"!!! WARNING: other processes keep {busy:P0} of the CPU busy; the figures will be disturbed (the report says how much)");
            return;
        }

        BenchRunner.Progress($"machine busy ({busy:P0} of the CPU in other processes); waiting for it to quiet down");
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
    }
}
