using Microsoft.Extensions.Logging;

namespace Gateway.Diagnostics;

/// <summary>The gateway's log messages; field names are the documented snake_case names.</summary>
internal static partial class GatewayLog
{
    public const string RequestCategory = "Gateway.Request";

    public static void RequestCompleted(ILogger logger, RequestLog log, double durationMs)
    {
        var level = log.HttpStatus >= 500 ? LogLevel.Warning : LogLevel.Information;
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var duration = Math.Round(durationMs, 2);
        double? ttfb = log.TtfbMs is { } t ? Math.Round(t, 2) : null;
        var model = log.Model ?? "-";
        var provider = log.Provider ?? "-";
        var targetModel = log.TargetModel ?? "-";
        RequestCompleted(
            logger,
            level,
            log.RequestId,
            log.KeyName,
            log.Client,
            log.Route,
            model,
            provider,
            targetModel,
            log.Stream,
            log.ToolsPresent,
            log.Attempts,
            log.EndReason,
            log.HttpStatus,
            log.UpstreamStatus,
            duration,
            ttfb,
            log.PromptTokens,
            log.CompletionTokens,
            log.UsageEstimated);
    }

    [LoggerMessage(EventId = 1, EventName = "request_completed", Message =
        "request_completed request_id={request_id} key_name={key_name} client={client} route={route} model={model} provider={provider} " +
        "target_model={target_model} stream={stream} tools_present={tools_present} attempts={attempts} end_reason={end_reason} " +
        "http_status={http_status} upstream_status={upstream_status} duration_ms={duration_ms} ttfb_ms={ttfb_ms} " +
        "prompt_tokens={prompt_tokens} completion_tokens={completion_tokens} usage_estimated={usage_estimated}")]
    private static partial void RequestCompleted(
        ILogger logger,
        LogLevel level,
        string request_id,
        string key_name,
        string client,
        string route,
        string model,
        string provider,
        string target_model,
        bool stream,
        bool tools_present,
        int attempts,
        string end_reason,
        int http_status,
        int? upstream_status,
        double duration_ms,
        double? ttfb_ms,
        int? prompt_tokens,
        int? completion_tokens,
        bool usage_estimated);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "upstream_attempt_failed request_id={request_id} provider={provider} target_model={target_model} kind={kind} detail={detail}")]
    public static partial void AttemptFailed(ILogger logger, string request_id, string provider, string target_model, Routing.FailureKind kind, string detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "request_failed request_id={request_id}: unexpected error")]
    public static partial void Unexpected(ILogger logger, string request_id, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "session_write_failed request_id={request_id}")]
    public static partial void SessionWriteFailed(ILogger logger, string request_id, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "thinking_write_failed request_id={request_id}")]
    public static partial void ThinkingWriteFailed(ILogger logger, string request_id, Exception exception);

    /// <summary>A kept response could not be stored; continuing from it will be a 400 previous_response_not_found.</summary>
    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "response_keep_failed request_id={request_id}")]
    public static partial void ResponseKeepFailed(ILogger logger, string request_id, Exception exception);

    /// <summary>Once per provider with a <c>Proxy</c>, when its handler is built; <paramref name="proxy"/> is masked.</summary>
    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "provider_proxy provider={provider} proxy={proxy}")]
    public static partial void ProviderProxy(ILogger logger, string provider, string proxy);
}
