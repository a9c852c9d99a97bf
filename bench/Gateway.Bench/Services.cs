using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Gateway.Bench;

/// <summary>A started fake upstream or gateway on a loopback port.</summary>
internal sealed class Service : IDisposable
{
    public Service(ChildProcess process, Uri root, double startupMs)
    {
        Process = process;
        Root = root;
        StartupMs = startupMs;
    }

    public ChildProcess Process { get; }

    public Uri Root { get; }

    /// <summary>Process start to the first ready answer, in milliseconds.</summary>
    public double StartupMs { get; }

    public Uri ChatUrl => new(Root, "/v1/chat/completions");

    /// <summary>The Anthropic Messages endpoint.</summary>
    public Uri MessagesUrl => new(Root, "/v1/messages");

    public void Dispose() => Process.Dispose();
}

/// <summary>Starts the fake upstream and the gateway as child processes and waits until they answer.</summary>
internal static class Services
{
    private static readonly HttpClient Probe = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>The fake upstream; <paramref name="delayMs"/> before each of <paramref name="chunks"/> stream chunks.</summary>
    public static async Task<Service> StartFakeUpstreamAsync(
        BenchOptions options, string tempDir, string name, int delayMs, int chunks, CancellationToken cancellationToken)
    {
        var root = new Uri($"http://127.0.0.1:{FreePort()}");
        string[] command =
        [
            "dotnet", options.FakeUpstreamDll, "--urls", root.ToString().TrimEnd('/'),
            "--chunk-delay-ms", delayMs.ToString(CultureInfo.InvariantCulture), "--chunks", chunks.ToString(CultureInfo.InvariantCulture),
        ];
        var process = ChildProcess.Start(name, Path.Combine(tempDir, name + ".log"), command);
        // The fake upstream has no /health; its model list is the cheapest 200.
        var ms = await WaitReadyAsync(process, new Uri(root, "/v1/models"), cancellationToken);
        return new Service(process, root, ms);
    }

    /// <summary>
    /// The gateway in front of <paramref name="upstream"/>: public model <c>demo-model</c> → <c>echo</c> (and
    /// <c>demo-short</c> → <c>echo-short</c>, the one-chunk stream), rate
    /// limit off, provider concurrency 4096. <paramref name="quiet"/> sets <c>Logging__LogLevel__Default=Warning</c>,
    /// which drops the per-request Information line; otherwise the product's logging defaults apply.
    /// <paramref name="dll"/> is the build to start (the baseline build); null starts the repository's build.
    /// <paramref name="extra"/> adds environment variables (e.g. <c>Gateway__Telemetry__Enabled=false</c>).
    /// </summary>
    public static async Task<Service> StartGatewayAsync(
        BenchOptions options, string tempDir, string name, string? dll, Uri upstream, bool quiet, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var config = new JsonObject
        {
            ["Gateway"] = new JsonObject
            {
                ["Auth"] = new JsonObject { ["Mode"] = "None" },
                ["Providers"] = new JsonObject
                {
                    ["demo"] = new JsonObject
                    {
                        ["Kind"] = "OpenAI",
                        ["BaseUrl"] = new Uri(upstream, "/v1").ToString(),
                        ["Models"] = new JsonArray("echo"),
                        ["MaxConcurrency"] = 4096,
                    },
                },
                ["Models"] = new JsonArray(
                    new JsonObject
                    {
                        ["Id"] = "demo-model",
                        ["Targets"] = new JsonArray(new JsonObject { ["Provider"] = "demo", ["Model"] = "echo" }),
                    },
                    new JsonObject
                    {
                        ["Id"] = BenchRequests.ShortGatewayModel,
                        ["Targets"] = new JsonArray(new JsonObject { ["Provider"] = "demo", ["Model"] = BenchRequests.ShortUpstreamModel }),
                    }),
                ["Limits"] = new JsonObject { ["RequestsPerSecond"] = 0 },
            },
        };
        var configPath = Path.Combine(tempDir, name + ".json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(), cancellationToken);
        var environment = new Dictionary<string, string> { ["GATEWAY_CONFIG"] = configPath };
        if (quiet)
        {
            environment["Logging__LogLevel__Default"] = "Warning";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return await StartAsync(options, tempDir, name, dll, environment, cancellationToken);
    }

    /// <summary>A gateway build (<paramref name="dll"/>, null: the repository's) with <paramref name="environment"/>, on a free port, once it answers <c>/health</c>.</summary>
    public static async Task<Service> StartAsync(
        BenchOptions options, string tempDir, string name, string? dll, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var root = new Uri($"http://127.0.0.1:{FreePort()}");
        var build = dll ?? options.GatewayDll;

        // A build is a Gateway.Server.dll for dotnet, or a Native AOT executable (README, "Native AOT") run as it is.
        string[] command = build.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? ["dotnet", build, "--urls", root.ToString().TrimEnd('/')]
            : [build, "--urls", root.ToString().TrimEnd('/')];
        var process = ChildProcess.Start(name, Path.Combine(tempDir, name + ".log"), command, environment);
        var ms = await WaitReadyAsync(process, new Uri(root, "/health"), cancellationToken);
        return new Service(process, root, ms);
    }

    /// <summary>
    /// The floor: the bare byte relay (<c>bench/Gateway.Relay</c>) in front of <paramref name="upstream"/>. It forwards
    /// every path, so its readiness probe is the upstream's model list through it.
    /// </summary>
    public static async Task<Service> StartRelayAsync(BenchOptions options, string tempDir, string name, Uri upstream, CancellationToken cancellationToken)
    {
        var root = new Uri($"http://127.0.0.1:{FreePort()}");
        string[] command = ["dotnet", options.RelayDll, "--urls", root.ToString().TrimEnd('/'), "--upstream", upstream.ToString().TrimEnd('/')];
        var process = ChildProcess.Start(name, Path.Combine(tempDir, name + ".log"), command);
        var ms = await WaitReadyAsync(process, new Uri(root, "/v1/models"), cancellationToken);
        return new Service(process, root, ms);
    }

    /// <summary>Polls <paramref name="probe"/> every 5 ms; returns process start → first 200 in milliseconds.</summary>
    private static async Task<double> WaitReadyAsync(ChildProcess process, Uri probe, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"{process.Name} exited with {process.ExitCode} before answering {probe}:{Environment.NewLine}{process.Tail()}");
            }

            try
            {
                using var response = await Probe.GetAsync(probe, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return Stopwatch.GetElapsedTime(process.StartedAt).TotalMilliseconds;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{process.Name} did not answer {probe} within 60 s:{Environment.NewLine}{process.Tail()}");
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
