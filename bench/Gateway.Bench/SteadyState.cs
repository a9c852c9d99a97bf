using System.Diagnostics;
using System.Net.Http.Headers;

namespace Gateway.Bench;

/// <summary>A gateway's memory in its steady state: after many streams have passed, while many slow ones are held.</summary>
internal sealed record SteadyStateResult
{
    /// <summary>Short streams sent before the hold (each read to its end), at most <see cref="HoldRequested"/> at a time.</summary>
    public int PassRequested { get; init; }

    public int PassCompleted { get; init; }

    public int PassFailed { get; init; }

    public double PassSeconds { get; init; }

    /// <summary>The gateway idle again after the passed streams, one second later.</summary>
    public MemoryReading AfterPass { get; init; }

    public int HoldRequested { get; init; }

    public int HoldEstablished { get; init; }

    public int HoldFailed { get; init; }

    public string? FirstError { get; init; }

    /// <summary>Seconds from the first held request to the last held stream's first content.</summary>
    public double RampSeconds { get; init; }

    /// <summary>Largest VmRSS sampled while all held streams were open, in MiB.</summary>
    public double PeakRssMb { get; init; }

    /// <summary>VmHWM after the hold, in MiB.</summary>
    public double HwmMb { get; init; }
}

/// <summary>
/// Passes <c>pass</c> short streams through the gateway (at most <c>hold</c> at a time, each read to its end), then
/// opens <c>hold</c> slow streams at once, waits until every one has delivered its first content (the gateway holds
/// headers back until then, so headers received means the stream is through), samples the gateway's memory for two
/// seconds and cancels them. One client throughout, so the held streams reuse the passed streams' connections.
/// </summary>
internal static class SteadyState
{
    private const int MaxConnecting = 100;

    public static async Task<SteadyStateResult> RunAsync(Service gateway, int pass, int hold, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = int.MaxValue,
            ConnectTimeout = TimeSpan.FromSeconds(20),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var slowBody = BenchRequests.Body(ApiKind.OpenAI, "demo-model", stream: true);
        var shortBody = BenchRequests.Body(ApiKind.OpenAI, BenchRequests.ShortGatewayModel, stream: true);

        // One stream first, alone: what follows measures streams, not the gateway's first request to the target.
        await ReadToEndAsync(client, gateway.ChatUrl, shortBody, cancellationToken);

        var (completed, passFailed, passSeconds) = await PassAsync(client, gateway.ChatUrl, shortBody, pass, Math.Max(1, hold), cancellationToken);
        await Task.Delay(1000, cancellationToken);
        var afterPass = gateway.Process.ReadMemory();
        var held = await HoldAsync(gateway, client, slowBody, hold, cancellationToken);
        return held with
        {
            PassRequested = pass,
            PassCompleted = completed,
            PassFailed = passFailed,
            PassSeconds = passSeconds,
            AfterPass = afterPass,
        };
    }

    private static async Task<(int Completed, int Failed, double Seconds)> PassAsync(
        HttpClient client, Uri url, byte[] body, int count, int concurrency, CancellationToken cancellationToken)
    {
        using var inFlight = new SemaphoreSlim(concurrency);
        using var connecting = new SemaphoreSlim(MaxConnecting);
        var completed = 0;
        var failed = 0;
        var start = Stopwatch.GetTimestamp();

        async Task OneAsync()
        {
            await inFlight.WaitAsync(cancellationToken);
            try
            {
                await connecting.WaitAsync(cancellationToken);
                HttpResponseMessage response;
                try
                {
                    using var request = Post(url, body);
                    response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                }
                finally
                {
                    connecting.Release();
                }

                using (response)
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                    await stream.CopyToAsync(Stream.Null, cancellationToken);
                    Interlocked.Increment(ref response.IsSuccessStatusCode ? ref completed : ref failed);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
            }
            finally
            {
                inFlight.Release();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(OneAsync, CancellationToken.None)));
        return (completed, failed, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static async Task<SteadyStateResult> HoldAsync(Service gateway, HttpClient client, byte[] body, int count, CancellationToken cancellationToken)
    {
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var connecting = new SemaphoreSlim(MaxConnecting);
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
                using var request = Post(gateway.ChatUrl, body);
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

        if (count == 0)
        {
            allIn.TrySetResult();
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
        return new SteadyStateResult
        {
            HoldRequested = count,
            HoldEstablished = established,
            HoldFailed = failed,
            FirstError = firstError,
            RampSeconds = ramp,
            PeakRssMb = peak / 1024.0,
            HwmMb = hwm / 1024.0,
        };
    }

    private static async Task ReadToEndAsync(HttpClient client, Uri url, byte[] body, CancellationToken cancellationToken)
    {
        using var request = Post(url, body);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await stream.CopyToAsync(Stream.Null, cancellationToken);
    }

    private static HttpRequestMessage Post(Uri url, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }
}
