using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Bench;

/// <summary>
/// What a format costs on top of the path it is compared with, at c=1 over streams (<c>--formats</c>, run by
/// <c>bench/formats.sh</c>): time to first content and to the end of the stream, for pairs of paths through
/// one gateway and one fake upstream, interleaved round by round so that machine noise hits both sides alike.
/// <list type="bullet">
/// <item>Responses in → OpenAI-kind upstream (translated) against Chat Completions in → the same upstream
/// (the byte pass-through).</item>
/// <item>A chat site with a function tool declared (tool protocol rendered into the query, the reply run
/// through the tool stage) against the same plain-text answer with no tools declared.</item>
/// </list>
/// Each round times every path <c>BENCH_FORMAT_REQUESTS</c> times in turn; the report gives, per pair, the
/// median across rounds of the per-round p50 difference, its spread (min … max) and the same for p99.
/// </summary>
internal static class FormatCost
{
    private const string Question = "Say hello to the benchmark";

    private sealed record Path(string Name, string Label, Uri Url, Func<bool, byte[]> Body, bool Responses)
    {
        public byte[] StreamBody { get; } = Body(true);

        public byte[] WholeBody { get; } = Body(false);
    }

    private sealed record Round(double P50, double P99, double EndP50, double WholeP50);

    private sealed record Pair(string Name, string Baseline, string Measured, double TargetP50Ms);

    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var rounds = Setting("BENCH_FORMAT_ROUNDS", 7);
        var requests = Setting("BENCH_FORMAT_REQUESTS", 200);
        var tempDir = Directory.CreateTempSubdirectory("gateway-formats-").FullName;
        using var upstream = await Services.StartFakeUpstreamAsync(options, tempDir, "fake-upstream", delayMs: 0, chunks: 8, cancellationToken);
        using var gateway = await StartGatewayAsync(options, tempDir, upstream.Root, cancellationToken);
        Path[] paths =
        [
            new("chat", "Chat Completions in → OpenAI-kind (bytes through)", new Uri(gateway.Root, "/v1/chat/completions"), s => ChatBody("demo-model", tools: false, s), false),
            new("responses", "Responses in → OpenAI-kind (translated)", new Uri(gateway.Root, "/v1/responses"), ResponsesBody, true),
            new("site", "Chat site, no tools declared", new Uri(gateway.Root, "/v1/chat/completions"), s => ChatBody("site-model", tools: false, s), false),
            new("site-tools", "Chat site, a function tool declared (tool stage on)", new Uri(gateway.Root, "/v1/chat/completions"), s => ChatBody("site-model", tools: true, s), false),
        ];
        Pair[] pairs =
        [
            new("Responses translation", "chat", "responses", 0.3),
            new("Tool stage", "site", "site-tools", 1.0),
        ];

        using var client = BenchHttp.Create(TimeSpan.FromSeconds(30));
        BenchRunner.Progress($"formats: warm-up, then {rounds} rounds × {requests} streams per path at c=1");
        foreach (var path in paths)
        {
            await TimeManyAsync(client, path, requests, stream: true, cancellationToken);
            await TimeManyAsync(client, path, requests, stream: false, cancellationToken);
        }

        var firstContent = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var total = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var whole = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var perRound = new List<Dictionary<string, Round>>();
        for (var round = 0; round < rounds; round++)
        {
            var measured = new Dictionary<string, Round>();
            // Rotate the order so that no path always runs right after another.
            for (var i = 0; i < paths.Length; i++)
            {
                var path = paths[(i + round) % paths.Length];
                var samples = await TimeManyAsync(client, path, requests, stream: true, cancellationToken);
                var wholeMs = (await TimeManyAsync(client, path, requests, stream: false, cancellationToken)).Select(s => s.TotalMs).ToArray();
                var ttfc = samples.Select(s => s.FirstMs).ToArray();
                var ends = samples.Select(s => s.TotalMs).ToArray();
                firstContent[path.Name].AddRange(ttfc);
                total[path.Name].AddRange(ends);
                whole[path.Name].AddRange(wholeMs);
                measured[path.Name] = new Round(Stats.Median(ttfc), Stats.Percentile(ttfc, 99), Stats.Median(ends), Stats.Median(wholeMs));
            }

            perRound.Add(measured);
            BenchRunner.Progress($"round {round + 1}: " + string.Join(", ", paths.Select(p => $"{p.Name} p50 {measured[p.Name].P50:F3} ms")));
        }

        var report = Markdown(options, rounds, requests, paths, pairs, perRound, firstContent, total, whole);
        Directory.CreateDirectory(options.ResultsDir);
        var file = System.IO.Path.Combine(options.ResultsDir, "formats-latest.md");
        await File.WriteAllTextAsync(file, report, cancellationToken);
        Console.Write(report);
        BenchRunner.Progress("results: " + file);
        try
        {
            Directory.Delete(tempDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return 0;
    }

    private sealed record Sample(double FirstMs, double TotalMs);

    private static async Task<List<Sample>> TimeManyAsync(HttpClient client, Path path, int count, bool stream, CancellationToken cancellationToken)
    {
        var samples = new List<Sample>(count);
        for (var i = 0; i < count; i++)
        {
            samples.Add(await TimeOneAsync(client, path, stream, cancellationToken));
        }

        return samples;
    }

    private static async Task<Sample> TimeOneAsync(HttpClient client, Path path, bool stream, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.Url) { Content = new ByteArrayContent(stream ? path.StreamBody : path.WholeBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var start = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CheckFailedException($"{path.Name}: {path.Url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        if (!stream)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return text.Contains("echo: ", StringComparison.Ordinal)
                ? new Sample(double.NaN, Stopwatch.GetElapsedTime(start).TotalMilliseconds)
                : throw new CheckFailedException($"{path.Name}: the whole answer has no echo text: {text}");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (!path.Responses)
        {
            var sample = await StreamTimer.ReadAsync(body, ApiKind.OpenAI, start, cancellationToken);
            return sample.Done && sample.ContentEvents > 0
                ? new Sample(sample.TtfbMs, sample.TotalMs)
                : throw new CheckFailedException($"{path.Name}: the stream ended without content or [DONE]");
        }

        return await ReadResponsesAsync(body, path, start, cancellationToken);
    }

    /// <summary>A Responses stream: first content is the first <c>response.output_text.delta</c>, the end <c>response.completed</c>.</summary>
    private static async Task<Sample> ReadResponsesAsync(Stream stream, Path path, long start, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        long first = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            if (first == 0 && line.Contains("\"type\":\"response.output_text.delta\"", StringComparison.Ordinal))
            {
                first = Stopwatch.GetTimestamp();
            }
            else if (line.Contains("\"type\":\"response.completed\"", StringComparison.Ordinal))
            {
                return first == 0
                    ? throw new CheckFailedException($"{path.Name}: response.completed without any output_text.delta")
                    : new Sample(Stopwatch.GetElapsedTime(start, first).TotalMilliseconds, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        throw new CheckFailedException($"{path.Name}: the stream ended without response.completed");
    }

    private static byte[] ChatBody(string model, bool tools, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["stream"] = stream,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Question }),
        };
        if (tools)
        {
            body["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = "read_file",
                    ["description"] = "Reads a file of the project and returns its text.",
                    ["parameters"] = JsonNode.Parse("""{"type":"object","properties":{"path":{"type":"string","description":"Path from the project root"}},"required":["path"]}"""),
                },
            });
        }

        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    private static byte[] ResponsesBody(bool stream) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["model"] = "demo-model",
        ["stream"] = stream,
        ["store"] = false,
        ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Question }),
    }.ToJsonString());

    /// <summary>The gateway with an OpenAI-kind provider (<c>demo-model</c>) and a chat-site provider (<c>site-model</c>) on the fake upstream.</summary>
    private static async Task<Service> StartGatewayAsync(BenchOptions options, string tempDir, Uri upstream, CancellationToken cancellationToken)
    {
        var baseUrl = new Uri(upstream, "/v1").ToString();
        var config = new JsonObject
        {
            ["Gateway"] = new JsonObject
            {
                ["Auth"] = new JsonObject { ["Mode"] = "None" },
                ["Providers"] = new JsonObject
                {
                    ["demo"] = new JsonObject { ["Kind"] = "OpenAI", ["BaseUrl"] = baseUrl, ["Models"] = new JsonArray("echo"), ["MaxConcurrency"] = 4096 },
                    ["site"] = new JsonObject
                    {
                        ["Kind"] = "ChatSite",
                        ["BaseUrl"] = baseUrl,
                        ["UpstreamAuth"] = new JsonObject { ["Mode"] = "None" },
                        ["Models"] = new JsonArray("echo"),
                        ["MaxConcurrency"] = 4096,
                    },
                },
                ["Models"] = new JsonArray(
                    new JsonObject { ["Id"] = "demo-model", ["Targets"] = new JsonArray(new JsonObject { ["Provider"] = "demo", ["Model"] = "echo" }) },
                    new JsonObject { ["Id"] = "site-model", ["Targets"] = new JsonArray(new JsonObject { ["Provider"] = "site", ["Model"] = "echo" }) }),
                ["Limits"] = new JsonObject { ["RequestsPerSecond"] = 0 },
            },
        };
        var configPath = System.IO.Path.Combine(tempDir, "gateway.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(), cancellationToken);
        var environment = new Dictionary<string, string> { ["GATEWAY_CONFIG"] = configPath, ["Logging__LogLevel__Default"] = "Warning" };
        return await Services.StartAsync(options, tempDir, "gateway", options.GatewayDll, environment, cancellationToken);
    }

    private static string Markdown(
        BenchOptions options,
        int rounds,
        int requests,
        Path[] paths,
        Pair[] pairs,
        List<Dictionary<string, Round>> perRound,
        Dictionary<string, List<double>> firstContent,
        Dictionary<string, List<double>> total,
        Dictionary<string, List<double>> whole)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        var inv = CultureInfo.InvariantCulture;
        Line("# Format cost (c=1)");
        Line("");
        Line(string.Create(inv, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm}Z, {Environment.ProcessorCount} cores, {rounds} rounds × {requests} streams per path, paths interleaved (order rotated each round)."));
        Line("One gateway (logging at Warning) and one fake upstream (8 chunks, no delay). Time to first content: request sent → first content event read by the client.");
        Line("");
        Line("| Path | TTFC p50 (ms) | TTFC p99 (ms) | Stream end p50 (ms) | Non-stream p50 (ms) |");
        Line("|---|---|---|---|---|");
        foreach (var path in paths)
        {
            Line(string.Create(inv, $"| {path.Label} (`{path.Name}`) | {Stats.Median(firstContent[path.Name]):F3} | {Stats.Percentile(firstContent[path.Name], 99):F3} | {Stats.Median(total[path.Name]):F3} | {Stats.Median(whole[path.Name]):F3} |"));
        }

        Line("");
        Line("Added per pair: per round, measured p50 − baseline p50; the median across rounds and the spread (min … max).");
        Line("");
        Line("| Pair | Added TTFC p50 (ms) | Spread (ms) | Added TTFC p99 (ms) | Added stream end p50 (ms) | Added non-stream p50 (ms) | Spread (ms) | Target (p50) | Verdict (TTFC) |");
        Line("|---|---|---|---|---|---|---|---|---|");
        foreach (var pair in pairs)
        {
            var p50 = perRound.Select(r => r[pair.Measured].P50 - r[pair.Baseline].P50).ToArray();
            var p99 = perRound.Select(r => r[pair.Measured].P99 - r[pair.Baseline].P99).ToArray();
            var end = perRound.Select(r => r[pair.Measured].EndP50 - r[pair.Baseline].EndP50).ToArray();
            var wholeAdded = perRound.Select(r => r[pair.Measured].WholeP50 - r[pair.Baseline].WholeP50).ToArray();
            var added = Stats.Median(p50);
            Line(string.Create(inv, $"| {pair.Name} (`{pair.Measured}` − `{pair.Baseline}`) | {added:F3} | {Stats.Min(p50):F3} … {Stats.Max(p50):F3} | {Stats.Median(p99):F3} | {Stats.Median(end):F3} | {Stats.Median(wholeAdded):F3} | {Stats.Min(wholeAdded):F3} … {Stats.Max(wholeAdded):F3} | ≤ {pair.TargetP50Ms:F1} | {(added <= pair.TargetP50Ms ? "met" : "NOT met")} |"));
        }

        Line("");
        Line("Per round, TTFC p50 (ms): " + string.Join("; ", perRound.Select((r, i) => $"{i + 1}: " + string.Join(", ", paths.Select(p => string.Create(inv, $"{p.Name} {r[p.Name].P50:F3}"))))));
        Line("");
        Line($"Build: {options.GatewayDll}");
        return text.ToString();
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
