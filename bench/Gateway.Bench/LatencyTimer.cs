using System.Diagnostics;

namespace Gateway.Bench;

/// <summary>Latency of sequential non-stream requests timed with the monotonic clock, in milliseconds.</summary>
internal sealed record LatencyRun
{
    public long Requests { get; init; }

    public long Errors { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public double MeanMs { get; init; }
}

/// <summary>
/// The latency of the requests actually sent at c=1: one request at a time on one keep-alive connection,
/// each timed with <see cref="Stopwatch"/>. wrk's printed distribution is corrected for coordinated
/// omission (see <see cref="WrkResult.CorrectionRatio"/>), which at c=1 turns each stall of a few
/// milliseconds into many synthetic slow samples; see bench/README.md.
/// </summary>
internal sealed class LatencyTimer : IDisposable
{
    private readonly HttpClient _client = BenchHttp.Create(TimeSpan.FromSeconds(10));

    public async Task<LatencyRun> RunAsync(PathSpec path, int seconds, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(100_000);
        var errors = 0L;
        var buffer = new byte[16 * 1024];
        var end = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            using var request = path.Request(stream: false);
            var start = Stopwatch.GetTimestamp();
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using (var stream = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                while (await stream.ReadAsync(buffer, cancellationToken) > 0)
                {
                }
            }

            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                errors++;
            }
        }

        return new LatencyRun
        {
            Requests = latencies.Count,
            Errors = errors,
            P50Ms = Stats.Percentile(latencies, 50),
            P99Ms = Stats.Percentile(latencies, 99),
            MeanMs = latencies.Count == 0 ? double.NaN : latencies.Average(),
        };
    }

    public void Dispose() => _client.Dispose();
}
