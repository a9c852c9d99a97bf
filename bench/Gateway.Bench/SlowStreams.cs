using System.Diagnostics;
using System.Net.Http.Headers;

namespace Gateway.Bench;

/// <summary>Gateway memory while it holds many concurrent, slowly paced streams.</summary>
internal sealed record SlowStreamResult
{
    public int Requested { get; init; }

    public int Established { get; init; }

    public int Failed { get; init; }

    public string? FirstError { get; init; }

    /// <summary>Seconds from the first request to the last stream's first content.</summary>
    public double RampSeconds { get; init; }

    /// <summary>Largest VmRSS sampled while all streams were open, in MiB.</summary>
    public double PeakRssMb { get; init; }

    /// <summary>VmHWM after the hold, in MiB.</summary>
    public double HwmMb { get; init; }
}

/// <summary>
/// Opens <c>count</c> streams through the gateway, waits until every one has delivered its first content
/// (the gateway holds headers back until then, so headers received means the stream is through), samples
/// the gateway's memory for two seconds and then cancels them all.
/// </summary>
internal static class SlowStreams
{
    private const int MaxConnecting = 100;

    public static async Task<SlowStreamResult> RunAsync(Service gateway, int count, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = int.MaxValue,
            ConnectTimeout = TimeSpan.FromSeconds(20),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var connecting = new SemaphoreSlim(MaxConnecting);
        var body = BenchRequests.Body(ApiKind.OpenAI, "demo-model", stream: true);
        var established = 0;
        var failed = 0;
        string? firstError = null;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        void Settle()
        {
            if (Volatile.Read(ref established) + Volatile.Read(ref failed) >= count)
            {
                allIn.TrySetResult();
            }
        }

        async Task OneAsync()
        {
            try
            {
                await connecting.WaitAsync(hold.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var released = false;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, gateway.ChatUrl) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, hold.Token);
                connecting.Release();
                released = true;
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
                }

                Interlocked.Increment(ref established);
                Settle();
                await using var stream = await response.Content.ReadAsStreamAsync(hold.Token);
                var buffer = new byte[4096];
                while (await stream.ReadAsync(buffer, hold.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (!hold.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message, null);
                Interlocked.Increment(ref failed);
                Settle();
            }
            catch (OperationCanceledException)
            {
                // The hold is over.
            }
            finally
            {
                if (!released)
                {
                    connecting.Release();
                }
            }
        }

        // One stream first, alone: the burst below then measures holding streams, not the gateway's
        // first-request path for the target (which the bench does not time).
        using (var prime = new HttpRequestMessage(HttpMethod.Post, gateway.ChatUrl) { Content = new ByteArrayContent(body) })
        {
            prime.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.SendAsync(prime, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
        }

        var start = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, count).Select(_ => Task.Run(OneAsync, CancellationToken.None)).ToArray();
        // Streams last 30 s upstream; if they are not all through after 25 s, measure what is open.
        await Task.WhenAny(allIn.Task, Task.Delay(TimeSpan.FromSeconds(25), cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        var ramp = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var peak = 0L;
        for (var i = 0; i < 10; i++)
        {
            peak = Math.Max(peak, gateway.Process.ReadMemory().RssKb);
            await Task.Delay(200, cancellationToken);
        }

        var hwm = gateway.Process.ReadMemory().HwmKb;
        await hold.CancelAsync();
        await Task.WhenAll(tasks);
        return new SlowStreamResult
        {
            Requested = count,
            Established = established,
            Failed = failed,
            FirstError = firstError,
            RampSeconds = ramp,
            PeakRssMb = peak / 1024.0,
            HwmMb = hwm / 1024.0,
        };
    }
}
