using System.Globalization;

namespace Gateway.Bench;

/// <summary>What one bench run does, read from <c>BENCH_*</c> environment variables and <c>--repo</c>.</summary>
internal sealed record BenchOptions
{
    /// <summary>Repository root (the folder with Gateway.sln).</summary>
    public required string RepoRoot { get; init; }

    /// <summary>Seconds per wrk run (<c>BENCH_DURATION</c>).</summary>
    public int DurationSeconds { get; init; } = 4;

    /// <summary>Measured runs; medians are taken across them (<c>BENCH_RUNS</c>, at least 5 for reported numbers).</summary>
    public int Runs { get; init; } = 5;

    /// <summary>Seconds of c=32 load per path before measuring (<c>BENCH_WARMUP</c>).</summary>
    public int WarmupSeconds { get; init; } = 5;

    /// <summary>Streams timed per path per run, sent one at a time (<c>BENCH_STREAMS</c>).</summary>
    public int StreamsPerRun { get; init; } = 6;

    /// <summary>Concurrent slow streams held for the memory reading (<c>BENCH_SLOW_STREAMS</c>).</summary>
    public int SlowStreams { get; init; } = 1000;

    /// <summary>
    /// Streams passed through the gateway before the slow streams are held, at most <see cref="SlowStreams"/> at a
    /// time (<c>BENCH_PASS_STREAMS</c>): the memory reading is of a gateway in its steady state, not a fresh one.
    /// </summary>
    public int PassStreams { get; init; } = 5000;

    /// <summary>
    /// Short streams (one content chunk) timed per path per run for time-to-first-content percentiles
    /// (<c>BENCH_TTFB_STREAMS</c>).
    /// </summary>
    public int TtfbStreams { get; init; } = 100;

    /// <summary>Also measure the floor, a bare byte relay (<c>bench/Gateway.Relay</c>), as the path "relay" (<c>BENCH_RELAY</c>, default 1).</summary>
    public bool Relay { get; init; } = true;

    /// <summary>Only the start-up and memory phase, printed to stderr; nothing is written (<c>BENCH_RESOURCES_ONLY</c>, for tuning memory).</summary>
    public bool ResourcesOnly { get; init; }

    /// <summary>Gateway start-ups timed (<c>BENCH_STARTS</c>).</summary>
    public int Starts { get; init; } = 5;

    /// <summary>Also measure a gateway with per-request logging off (<c>BENCH_QUIET_VARIANT</c>, default 1).</summary>
    public bool QuietVariant { get; init; } = true;

    /// <summary>
    /// Seconds to wait for other processes to leave the CPU (under 10 % busy) before measuring
    /// (<c>BENCH_WAIT_QUIET</c>); 0 measures at once, with a warning if the machine is busy.
    /// </summary>
    public int WaitQuietSeconds { get; init; }

    /// <summary>
    /// Another build's <c>Gateway.Server.dll</c> (<c>BENCH_BASELINE_DLL</c>), or a Native AOT <c>Gateway.Server</c>
    /// executable, started with the same configuration and measured as the path "baseline" in the same runs; null when not set.
    /// </summary>
    public string? BaselineDll { get; init; }

    /// <summary>
    /// Also measure the path "gateway-anthropic" (<c>BENCH_ANTHROPIC</c>, default 1): the same gateway, Anthropic
    /// Messages in (<c>POST /v1/messages</c>), translated to the OpenAI-kind upstream.
    /// </summary>
    public bool Anthropic { get; init; }

    /// <summary>Keep the child processes' console output in the temp folder (<c>BENCH_KEEP_LOGS</c>).</summary>
    public bool KeepLogs { get; init; }

    /// <summary>Fake upstream pacing for the timed streams (as in the product spec).</summary>
    public int ChunkDelayMs { get; init; } = 20;

    /// <summary>Content chunks per timed stream.</summary>
    public int Chunks { get; init; } = 64;

    public string GatewayDll => Path.Combine(RepoRoot, "src", "Server", "bin", "Release", "net10.0", "Gateway.Server.dll");

    public string RelayDll => Path.Combine(RepoRoot, "bench", "Gateway.Relay", "bin", "Release", "net10.0", "Gateway.Relay.dll");

    public string FakeUpstreamDll => Path.Combine(RepoRoot, "tests", "Gateway.FakeUpstream", "bin", "Release", "net10.0", "Gateway.FakeUpstream.dll");

    public string WrkScript => Path.Combine(RepoRoot, "bench", "post.lua");

    public string WrkAnthropicScript => Path.Combine(RepoRoot, "bench", "post-anthropic.lua");

    public string ResultsDir => Path.Combine(RepoRoot, "bench", "results");

    public static BenchOptions FromEnvironment(string[] args)
    {
        string? repo = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--repo" && i + 1 < args.Length)
            {
                repo = args[++i];
            }
            else
            {
                throw new ArgumentException($"unknown argument '{args[i]}' (settings come from BENCH_* environment variables; see bench/README.md)");
            }
        }

        repo ??= FindRepoRoot(AppContext.BaseDirectory) ?? FindRepoRoot(Directory.GetCurrentDirectory())
            ?? throw new ArgumentException("cannot find the repository root (Gateway.sln); pass --repo PATH");
        var options = new BenchOptions
        {
            RepoRoot = Path.GetFullPath(repo),
            DurationSeconds = Int("BENCH_DURATION", 4, 1),
            Runs = Int("BENCH_RUNS", 5, 1),
            WarmupSeconds = Int("BENCH_WARMUP", 5, 0),
            StreamsPerRun = Int("BENCH_STREAMS", 6, 1),
            SlowStreams = Int("BENCH_SLOW_STREAMS", 1000, 0),
            PassStreams = Int("BENCH_PASS_STREAMS", 5000, 0),
            TtfbStreams = Int("BENCH_TTFB_STREAMS", 100, 1),
            Relay = Int("BENCH_RELAY", 1, 0) != 0,
            ResourcesOnly = Int("BENCH_RESOURCES_ONLY", 0, 0) != 0,
            Starts = Int("BENCH_STARTS", 5, 1),
            QuietVariant = Int("BENCH_QUIET_VARIANT", 1, 0) != 0,
            KeepLogs = Int("BENCH_KEEP_LOGS", 0, 0) != 0,
            WaitQuietSeconds = Int("BENCH_WAIT_QUIET", 0, 0),
            BaselineDll = FilePath("BENCH_BASELINE_DLL"),
            Anthropic = Int("BENCH_ANTHROPIC", 1, 0) != 0,
        };
        return options;
    }

    private static int Int(string name, int fallback, int min)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new ArgumentException($"{name} must be an integer ≥ {min}, got '{text}'");
        }

        return value;
    }

    private static string? FilePath(string name)
    {
        var text = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(text) ? null : Path.GetFullPath(text.Trim());
    }

    private static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
