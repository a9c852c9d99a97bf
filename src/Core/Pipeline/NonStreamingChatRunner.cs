using Gateway.Chat;
using Gateway.Diagnostics;
using Gateway.Endpoints;
using Gateway.Providers;
using Gateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline;

/// <summary>A non-stream chat request: whole upstream answers, failover on any failure before answering.</summary>
internal sealed class NonStreamingChatRunner
{
    private const int MaxUpstreamBytes = 64 * 1024 * 1024;

    private readonly UpstreamSender _sender;
    private readonly FailoverPlan _plan;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NonStreamingChatRunner(UpstreamSender sender, FailoverPlan plan, TimeProvider time, ILoggerFactory loggers)
    {
        _sender = sender;
        _plan = plan;
        _time = time;
        _logger = loggers.CreateLogger(GatewayLog.RequestCategory);
    }

    /// <summary>Answers the request; returns the target that served it, or null when none did.</summary>
    public async Task<RouteTarget?> RunAsync(ChatAttemptContext context, IReadOnlyList<RouteTarget> targets)
    {
        var exchange = context.Exchange;
        var outcome = await _plan.RunAsync<Answer>(targets, (target, ct) => AttemptAsync(context, target, ct), exchange.Aborted, context.PreferredTargetKey);
        exchange.Log.Attempts = outcome.Attempts;
        exchange.Log.UpstreamError = outcome.LastFailure?.Upstream;
        if (outcome.Error is { } error)
        {
            exchange.Log.UpstreamStatus = outcome.LastFailure?.Status ?? exchange.Log.UpstreamStatus;
            await exchange.WriteErrorAsync(error);
            return null;
        }

        var answer = outcome.State!;
        try
        {
            var log = exchange.Log;
            log.Provider = outcome.Target!.Provider.Id;
            log.TargetModel = outcome.Target.Model;
            log.PromptTokens = answer.Usage.PromptTokens;
            log.CompletionTokens = answer.Usage.CompletionTokens;
            log.UsageEstimated = answer.Usage.Estimated;
            log.EndReason = answer.Finish?.Value ?? "stop";
            var response = exchange.Http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            response.ContentLength = answer.Body.Length;
            log.TtfbMs = _time.GetElapsedTime(exchange.Started).TotalMilliseconds;
            await response.Body.WriteAsync(answer.Body, exchange.Aborted);
            log.Delivered = true;
            return outcome.Target;
        }
        finally
        {
            outcome.Target!.Provider.Concurrency.Exit();
        }
    }

    private async ValueTask<AttemptResult<Answer>> AttemptAsync(ChatAttemptContext context, RouteTarget target, CancellationToken cancellationToken)
    {
        var provider = target.Provider;
        context.Exchange.Log.Provider = provider.Id;
        context.Exchange.Log.TargetModel = target.Model;
        using var timeout = new CancellationTokenSource(provider.ResponseTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var codec = context.CodecFor(target);
        if (UntranslatableRequest.TryWrite(codec, context.Request, stream: false, out var body) is { } untranslatable)
        {
            return Fail(context, target, untranslatable);
        }

        try
        {
            using var response = await _sender.SendChatAsync(target, body, stream: false, context.Call, linked.Token, codec);
            context.Exchange.Log.UpstreamStatus = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                return Fail(context, target, await UpstreamErrorReader.ClassifyAsync(provider, response, linked.Token));
            }

            var completion = await ReadAllAsync(response, linked.Token);
            if (completion is null)
            {
                return Fail(context, target, new UpstreamFailure(FailureKind.BadResponse, (int)response.StatusCode, "response larger than the gateway accepts"));
            }

            if (!CodecGuard.TryAnswerWhole(codec, completion.Value, out var answer))
            {
                return Fail(context, target, CodecGuard.FailureOf(codec, completion.Value.Span, (int)response.StatusCode, "2xx body is not a chat completion"));
            }

            await codec.FinishTurnAsync(linked.Token);
            return AttemptResult<Answer>.Succeeded(new Answer(answer, codec.Usage ?? default, codec.Finish));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our ResponseTimeout, or the handler's ConnectTimeout (a cancellation, not an HttpRequestException).
            var detail = timeout.IsCancellationRequested ? $"no complete response within {provider.ResponseTimeout.TotalSeconds} s" : "connect timed out";
            return Fail(context, target, new UpstreamFailure(FailureKind.Timeout, null, detail));
        }
        catch (HttpRequestException ex)
        {
            return Fail(context, target, new UpstreamFailure(FailureKind.Transport, null, ex.HttpRequestError.ToString()));
        }
        catch (IOException ex)
        {
            return Fail(context, target, new UpstreamFailure(FailureKind.Transport, null, ex.GetType().Name));
        }
        catch (UpstreamTokenException ex)
        {
            return Fail(context, target, new UpstreamFailure(FailureKind.Auth, null, ex.Message));
        }
    }

    private AttemptResult<Answer> Fail(ChatAttemptContext context, RouteTarget target, UpstreamFailure failure)
    {
        GatewayLog.AttemptFailed(_logger, context.Exchange.RequestId, target.Provider.Id, target.Model, failure);
        return AttemptResult<Answer>.Failed(failure);
    }

    private static async ValueTask<ReadOnlyMemory<byte>?> ReadAllAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await BoundedRead.ReadAsync(stream, response.Content.Headers.ContentLength, MaxUpstreamBytes, cancellationToken);
    }

    private sealed record Answer(ReadOnlyMemory<byte> Body, TokenUsage Usage, FinishReason? Finish);
}
