using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Bench;

/// <summary>One wrk run, parsed: latency distribution (ms), throughput and every error count wrk prints.</summary>
internal sealed record WrkResult
{
    public double P50Ms { get; init; }

    public double P75Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    /// <summary>wrk's mean latency ("Thread Stats" line).</summary>
    public double MeanMs { get; init; }

    public double RequestsPerSecond { get; init; }

    public double DurationSeconds { get; init; }

    public int Connections { get; init; }

    public long Requests { get; init; }

    public long Non2xx { get; init; }

    public long ConnectErrors { get; init; }

    public long ReadErrors { get; init; }

    public long WriteErrors { get; init; }

    public long Timeouts { get; init; }

    public long Errors => Non2xx + ConnectErrors + ReadErrors + WriteErrors + Timeouts;

    /// <summary>
    /// Mean latency × requests ÷ (duration × connections). A connection has one request in flight at a
    /// time, so for the latencies of the requests sent this is at most 1. wrk 4 corrects its histogram for
    /// coordinated omission before printing it: every latency longer than twice the mean interval between
    /// requests on a connection adds synthetic samples. Above 1, this tells how much of the printed
    /// distribution is synthetic, and its p99 describes that model rather than the requests sent.
    /// </summary>
    public double CorrectionRatio => MeanMs * Requests / (DurationSeconds * 1000.0 * Connections);

    public string ErrorText => $"non-2xx {Non2xx}, connect {ConnectErrors}, read {ReadErrors}, write {WriteErrors}, timeout {Timeouts}";
}

/// <summary>Runs wrk with <c>bench/post.lua</c> (or <c>bench/post-anthropic.lua</c>) and parses its text output.</summary>
internal static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(
        BenchOptions options, string tempDir, PathSpec path, int threads, int connections, int seconds, CancellationToken cancellationToken)
    {
        var output = Path.Combine(tempDir, $"wrk-{Guid.NewGuid():N}.txt");
        string[] command =
        [
            "wrk", "-t" + threads.ToString(CultureInfo.InvariantCulture), "-c" + connections.ToString(CultureInfo.InvariantCulture),
            "-d" + seconds.ToString(CultureInfo.InvariantCulture) + "s", "--latency", "-s", path.Api == ApiKind.Anthropic ? options.WrkAnthropicScript : options.WrkScript, path.Url.ToString(),
        ];
        using var wrk = ChildProcess.Start("wrk", output, command, new Dictionary<string, string> { ["BENCH_MODEL"] = path.Model });
        var exit = await wrk.WaitAsync(cancellationToken);
        var text = await File.ReadAllTextAsync(output, cancellationToken);
        File.Delete(output);
        if (exit != 0)
        {
            throw new InvalidOperationException($"wrk exited with {exit}:{Environment.NewLine}{text}");
        }

        return Parse(text) with { Connections = connections };
    }

    public static WrkResult Parse(string text)
    {
        double Percentile(string p)
        {
            var m = Regex.Match(text, @"^\s*" + p + @"%\s+([\d.]+)(us|ms|s|m|h)\s*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
            return m.Success ? ToMs(m.Groups[1].Value, m.Groups[2].Value) : throw new FormatException($"wrk output has no {p}% line:{Environment.NewLine}{text}");
        }

        var mean = MeanLatency().Match(text);
        var rps = RequestsPerSec().Match(text);
        var total = TotalRequests().Match(text);
        var non2xx = Non2xx().Match(text);
        var socket = SocketErrors().Match(text);
        if (!rps.Success || !total.Success || !mean.Success)
        {
            throw new FormatException($"wrk output has no Requests/sec line:{Environment.NewLine}{text}");
        }

        return new WrkResult
        {
            P50Ms = Percentile("50"),
            P75Ms = Percentile("75"),
            P90Ms = Percentile("90"),
            P99Ms = Percentile("99"),
            MeanMs = ToMs(mean.Groups[1].Value, mean.Groups[2].Value),
            RequestsPerSecond = double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            DurationSeconds = ToMs(total.Groups[2].Value, total.Groups[3].Value) / 1000.0,
            Requests = long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            Non2xx = non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            ConnectErrors = socket.Success ? long.Parse(socket.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            ReadErrors = socket.Success ? long.Parse(socket.Groups[2].Value, CultureInfo.InvariantCulture) : 0,
            WriteErrors = socket.Success ? long.Parse(socket.Groups[3].Value, CultureInfo.InvariantCulture) : 0,
            Timeouts = socket.Success ? long.Parse(socket.Groups[4].Value, CultureInfo.InvariantCulture) : 0,
        };
    }

    private static double ToMs(string number, string unit)
    {
        var value = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => value / 1000.0,
            "ms" => value,
            "s" => value * 1000.0,
            "m" => value * 60_000.0,
            "h" => value * 3_600_000.0,
            _ => throw new FormatException($"unknown wrk unit '{unit}'"),
        };
    }

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSec();

    [GeneratedRegex(@"^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\s", RegexOptions.Multiline)]
    private static partial Regex MeanLatency();

    [GeneratedRegex(@"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", RegexOptions.Multiline)]
    private static partial Regex TotalRequests();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
