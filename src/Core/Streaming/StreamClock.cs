using Gateway.Configuration;

namespace Gateway.Streaming;

/// <summary>
/// The timers of one streamed response, driven from the pump's single loop (so keep-alives go through
/// the same writer as data and never interleave): while an upstream operation is pending it commits
/// the SSE headers after <c>CommitAfterSeconds</c> of holdback, sends <c>: keep-alive</c> after
/// <c>KeepAliveSeconds</c> of silence, and reports the first-byte and idle timeouts.
/// </summary>
internal sealed class StreamClock
{
    private readonly SseResponseWriter _writer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keepAlive;
    private readonly long _commitAt;
    private readonly CancellationToken _shutdown;

    public StreamClock(SseResponseWriter writer, StreamingOptions options, TimeProvider time, long requestStarted, CancellationToken shutdown)
    {
        _writer = writer;
        _time = time;
        _keepAlive = TimeSpan.FromSeconds(options.KeepAliveSeconds);
        _commitAt = requestStarted + (long)(options.CommitAfterSeconds * time.TimestampFrequency);
        _shutdown = shutdown;
    }

    /// <summary>Timestamp by which content must arrive; <see cref="long.MaxValue"/> once it has.</summary>
    public long FirstContentDeadline { get; set; } = long.MaxValue;

    /// <summary>The upstream body being read (for the idle timer); null while waiting for headers.</summary>
    public ReadActivityStream? Body { get; set; }

    public TimeSpan IdleTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Waits for <paramref name="operation"/> while running the timers.</summary>
    public async ValueTask<WaitOutcome> WaitAsync(Task operation, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (operation.IsCompleted)
            {
                return WaitOutcome.Completed;
            }

            var now = _time.GetTimestamp();
            var due = Timeout.InfiniteTimeSpan;
            if (FirstContentDeadline != long.MaxValue)
            {
                due = Earliest(due, Until(now, FirstContentDeadline));
            }

            if (Body is not null && IdleTimeout != Timeout.InfiniteTimeSpan)
            {
                due = Earliest(due, _time.GetElapsedTime(now, Body.LastReadTimestamp) + IdleTimeout);
            }

            due = Earliest(due, _writer.Committed
                ? _time.GetElapsedTime(now, _writer.LastWriteTimestamp) + _keepAlive
                : Until(now, _commitAt));

            try
            {
                await operation.WaitAsync(due < TimeSpan.Zero ? TimeSpan.Zero : due, _time, _shutdown);
                return WaitOutcome.Completed;
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                return WaitOutcome.Shutdown;
            }
            catch (Exception) when (operation.IsCompleted)
            {
                // The operation itself failed; the caller awaits it to see how.
                return WaitOutcome.Completed;
            }

            now = _time.GetTimestamp();
            if (now >= FirstContentDeadline)
            {
                return WaitOutcome.FirstByteTimeout;
            }

            if (Body is not null && IdleTimeout != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(Body.LastReadTimestamp, now) >= IdleTimeout)
            {
                return WaitOutcome.IdleTimeout;
            }

            if (!_writer.Committed)
            {
                if (now >= _commitAt)
                {
                    // Long silent reasoning: commit 200 + SSE headers and keep the client's connection alive;
                    // failover stays possible until the first data event is written.
                    _writer.Commit();
                    await _writer.WriteKeepAliveAsync(cancellationToken);
                }
            }
            else if (_time.GetElapsedTime(_writer.LastWriteTimestamp, now) >= _keepAlive)
            {
                await _writer.WriteKeepAliveAsync(cancellationToken);
            }
        }
    }

    private TimeSpan Until(long now, long deadline) => deadline <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, deadline);

    private static TimeSpan Earliest(TimeSpan current, TimeSpan candidate) =>
        current == Timeout.InfiniteTimeSpan || candidate < current ? candidate : current;
}
