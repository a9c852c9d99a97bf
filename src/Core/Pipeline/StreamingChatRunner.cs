using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Metrics;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline;

/// <summary>
/// A streamed chat request (SPEC §5 Streaming and Failover). Before the first content an attempt may
/// still fail over: the status is not decided and the preamble is held back. After it, the upstream is
/// pumped to the client event by event, and a failure ends the stream with an explicit error event,
/// never a fake finish_reason.
/// </summary>
internal sealed class StreamingChatRunner
{
    private const int MaxJsonAnswerBytes = 64 * 1024 * 1024;

    private readonly UpstreamSender _sender;
    private readonly FailoverPlan _plan;
    private readonly TimeProvider _time;
    private readonly StreamingOptions _streaming;
    private readonly StreamShutdown _shutdown;
    private readonly ILogger _logger;
    private readonly GatewayMetrics _metrics;

    public StreamingChatRunner(
        UpstreamSender sender,
        FailoverPlan plan,
        TimeProvider time,
        GatewayOptions options,
        StreamShutdown shutdown,
        ILoggerFactory loggers,
        GatewayMetrics metrics)
    {
        _metrics = metrics;
        _sender = sender;
        _plan = plan;
        _time = time;
        _streaming = options.Streaming;
        _shutdown = shutdown;
        _logger = loggers.CreateLogger(GatewayLog.RequestCategory);
    }

    /// <summary>Streams the answer; returns the target that served it, or null when none did.</summary>
    public async Task<RouteTarget?> RunAsync(ChatAttemptContext context, IReadOnlyList<RouteTarget> targets)
    {
        var exchange = context.Exchange;
        var aborted = exchange.Aborted;
        var writer = new SseResponseWriter(exchange.Http.Response, _time, exchange.Protocol.KeepAlive);
        var clock = new StreamClock(writer, _streaming, _time, exchange.Started, _shutdown.Token);
        var outcome = await _plan.RunAsync<UpstreamStream>(targets, (target, ct) => OpenAsync(context, target, writer, clock, ct), aborted, context.PreferredTargetKey);
        exchange.Log.Attempts = outcome.Attempts;
        exchange.Log.UpstreamError = outcome.LastFailure?.Upstream;
        if (outcome.Error is { } error)
        {
            exchange.Log.UpstreamStatus = outcome.LastFailure?.Status ?? exchange.Log.UpstreamStatus;
            if (!writer.Committed)
            {
                await exchange.WriteErrorAsync(error);
                return null;
            }

            // Headers went out during a long holdback; the status can no longer change.
            exchange.Log.EndReason = error.EndReason;
            var frames = new List<SseFrame>(2);
            exchange.Protocol.AppendStreamError(error, frames);
            await writer.WriteAsync(frames, aborted);
            _metrics.StreamEnded(exchange.Log.Route, done: false);
            return null;
        }

        var stream = outcome.State!;
        try
        {
            return await PumpAsync(context, stream, writer, clock) ? stream.Target : null;
        }
        finally
        {
            await stream.DisposeAsync();
            stream.Target.Provider.Concurrency.Exit();
        }
    }

    private async ValueTask<AttemptResult<UpstreamStream>> OpenAsync(
        ChatAttemptContext context,
        RouteTarget target,
        SseResponseWriter writer,
        StreamClock clock,
        CancellationToken cancellationToken)
    {
        var provider = target.Provider;
        var log = context.Exchange.Log;
        log.Provider = provider.Id;
        log.TargetModel = target.Model;
        var codec = context.CodecFor(target);
        var stream = new UpstreamStream(target, codec, cancellationToken);
        if (UntranslatableRequest.TryWrite(codec, context.Request, stream: true, out var body) is { } untranslatable)
        {
            return await FailAsync(context, stream, untranslatable);
        }

        clock.FirstContentDeadline = _time.GetTimestamp() + (long)(provider.FirstByteTimeout.TotalSeconds * _time.TimestampFrequency);
        clock.Body = null;
        clock.IdleTimeout = provider.IdleTimeout;
        try
        {
            var send = _sender.SendChatAsync(target, body, stream: true, context.Call, stream.Cancel.Token, codec);
            var waited = await clock.WaitAsync(send, cancellationToken);
            if (waited != WaitOutcome.Completed)
            {
                stream.Abandon(send);
                return await FailAsync(context, stream, TimeoutFailure(waited, provider));
            }

            stream.Response = await send;

            var response = stream.Response;
            log.UpstreamStatus = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var classify = UpstreamErrorReader.ClassifyAsync(provider, response, stream.Cancel.Token);
                if (await clock.WaitAsync(classify, cancellationToken) is var w && w != WaitOutcome.Completed)
                {
                    stream.Abandon(classify);
                    return await FailAsync(context, stream, new UpstreamFailure(FailureKind.RetryableStatus, (int)response.StatusCode, $"HTTP {(int)response.StatusCode}"));
                }

                return await FailAsync(context, stream, await classify);
            }

            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                // An upstream that answered a stream request with plain JSON: replay it as chunks.
                var read = ReadJsonAsync(response, stream.Cancel.Token);
                if (await clock.WaitAsync(read, cancellationToken) != WaitOutcome.Completed)
                {
                    stream.Abandon(read);
                    return await FailAsync(context, stream, new UpstreamFailure(FailureKind.Timeout, 200, "JSON answer not complete before the first-byte timeout"));
                }

                var json = await read;
                if (json is null || CodecGuard.EventsOfWhole(codec, json) is not { } events)
                {
                    return await FailAsync(context, stream, CodecGuard.FailureOf(codec, json, 200, "JSON answer is not a chat completion"));
                }

                stream.Events = Replay(events).GetAsyncEnumerator(stream.Cancel.Token);
            }
            else
            {
                var body2 = new ReadActivityStream(await response.Content.ReadAsStreamAsync(stream.Cancel.Token), _time);
                clock.Body = body2;
                stream.Events = SseEventReader.ReadAsync(body2, stream.Cancel.Token).GetAsyncEnumerator(stream.Cancel.Token);
            }

            while (true)
            {
                var (reading, next) = await NextAsync(stream, clock, cancellationToken);
                if (reading != WaitOutcome.Completed)
                {
                    return await FailAsync(context, stream, TimeoutFailure(reading, provider));
                }

                if (next is not { } sse || sse.IsDone)
                {
                    return await FailAsync(context, stream, new UpstreamFailure(FailureKind.BadResponse, 200, "stream ended before any content"));
                }

                switch (CodecGuard.OnUpstreamEvent(codec, sse, stream.Pending))
                {
                    case StreamStep.Content:
                        clock.FirstContentDeadline = long.MaxValue;
                        await writer.WriteAsync(stream.Pending, cancellationToken);
                        stream.Pending.Clear();

                        // The flush handed the response start to Kestrel, whose socket send is a thread-pool work
                        // item queued behind this thread. Yielding lets that send run before the attempt's
                        // bookkeeping and the pump's next read, instead of waiting for them or for another
                        // worker to wake up.
                        await Task.Yield();
                        return AttemptResult<UpstreamStream>.Succeeded(stream);
                    case StreamStep.Progress:
                        // Held by a stage (a tool call read from text): the upstream is answering, so the
                        // first-content timer stops; the idle timer still watches the bytes.
                        clock.FirstContentDeadline = long.MaxValue;
                        break;
                    case StreamStep.UpstreamError:
                        return await FailAsync(context, stream, CodecGuard.FailureOf(codec, sse.Data.Span, 200, "error event before any content"));
                    case StreamStep.Malformed:
                        return await FailAsync(context, stream, new UpstreamFailure(FailureKind.BadResponse, 200, "malformed event before any content"));
                }
            }
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(context, stream, new UpstreamFailure(FailureKind.Transport, null, ex.HttpRequestError.ToString()));
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(context, stream, new UpstreamFailure(FailureKind.Transport, null, ex.GetType().Name));
        }
        catch (UpstreamTokenException ex)
        {
            return await FailAsync(context, stream, new UpstreamFailure(FailureKind.Auth, null, ex.Message));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the client: the handler's ConnectTimeout (it throws a cancellation, not an HttpRequestException).
            return await FailAsync(context, stream, new UpstreamFailure(FailureKind.Timeout, null, "connect timed out"));
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    // True when the stream completed (every choice finished).
    private async Task<bool> PumpAsync(ChatAttemptContext context, UpstreamStream stream, SseResponseWriter writer, StreamClock clock)
    {
        var aborted = context.Exchange.Aborted;
        var log = context.Exchange.Log;
        var codec = stream.Codec;
        GatewayError? interruption = null;
        try
        {
            while (true)
            {
                var (waited, next) = await NextAsync(stream, clock, aborted);
                if (waited == WaitOutcome.IdleTimeout)
                {
                    interruption = StreamErrors.Interrupted($"The upstream sent nothing for {stream.Target.Provider.IdleTimeout.TotalSeconds} s.", "timeout");
                    break;
                }

                if (waited == WaitOutcome.Shutdown)
                {
                    interruption = StreamErrors.Interrupted("The gateway is shutting down.");
                    break;
                }

                if (next is not { } sse || sse.IsDone)
                {
                    break;
                }

                var step = CodecGuard.OnUpstreamEvent(codec, sse, stream.Pending);
                if (step is StreamStep.UpstreamError or StreamStep.Malformed)
                {
                    interruption = StreamErrors.Interrupted(step == StreamStep.UpstreamError ? "The upstream reported an error mid-stream." : "The upstream sent a malformed event.");
                    break;
                }

                if (stream.Pending.Count > 0)
                {
                    await writer.WriteAsync(stream.Pending, aborted);
                    stream.Pending.Clear();
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !aborted.IsCancellationRequested)
        {
            interruption = StreamErrors.Interrupted("The upstream connection failed mid-stream.");
        }

        var end = codec.OnUpstreamEnd(stream.Pending, interruption);
        if (end == StreamEnd.Completed)
        {
            await codec.FinishTurnAsync(aborted);
        }

        await writer.WriteAsync(stream.Pending, aborted);
        stream.Pending.Clear();
        log.Delivered = true;

        log.EndReason = end == StreamEnd.Completed ? codec.Finish?.Value ?? "stop" : interruption?.EndReason ?? "upstream_error";
        _metrics.StreamEnded(log.Route, end == StreamEnd.Completed);
        log.TtfbMs = writer.DataWritten ? _time.GetElapsedTime(context.Exchange.Started, writer.FirstDataTimestamp).TotalMilliseconds : null;
        if (codec.Usage is { } usage)
        {
            log.PromptTokens = usage.PromptTokens;
            log.CompletionTokens = usage.CompletionTokens;
            log.UsageEstimated = usage.Estimated;
        }

        return end == StreamEnd.Completed;
    }

    private static async ValueTask<(WaitOutcome Outcome, SseEvent? Event)> NextAsync(UpstreamStream stream, StreamClock clock, CancellationToken cancellationToken)
    {
        var events = stream.Events!;
        var moveNext = events.MoveNextAsync();
        if (!moveNext.IsCompleted)
        {
            var pending = moveNext.AsTask();
            var waited = await clock.WaitAsync(pending, cancellationToken);
            if (waited != WaitOutcome.Completed)
            {
                stream.Abandon(pending);
                return (waited, null);
            }

            return (WaitOutcome.Completed, await pending ? events.Current : null);
        }

        return (WaitOutcome.Completed, await moveNext ? events.Current : null);
    }

    private async ValueTask<AttemptResult<UpstreamStream>> FailAsync(ChatAttemptContext context, UpstreamStream stream, UpstreamFailure failure)
    {
        GatewayLog.AttemptFailed(_logger, context.Exchange.RequestId, stream.Target.Provider.Id, stream.Target.Model, failure);
        await stream.DisposeAsync();
        return AttemptResult<UpstreamStream>.Failed(failure);
    }

    private static UpstreamFailure TimeoutFailure(WaitOutcome waited, Provider provider) => waited switch
    {
        WaitOutcome.Shutdown => new UpstreamFailure(FailureKind.Shutdown, null, "gateway shutting down"),
        WaitOutcome.IdleTimeout => new UpstreamFailure(FailureKind.Timeout, null, $"silent for {provider.IdleTimeout.TotalSeconds} s before any content"),
        _ => new UpstreamFailure(FailureKind.Timeout, null, $"no content within {provider.FirstByteTimeout.TotalSeconds} s"),
    };

    private static async Task<byte[]?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxJsonAnswerBytes)
        {
            return null;
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return bytes.Length > MaxJsonAnswerBytes ? null : bytes;
    }

    private static async IAsyncEnumerable<SseEvent> Replay(IReadOnlyList<SseEvent> events)
    {
        foreach (var e in events)
        {
            yield return e;
        }

        await Task.CompletedTask;
    }
}
