using Microsoft.Extensions.Logging;

namespace Gateway.Diagnostics;

/// <summary>The gateway's log messages; field names are the documented snake_case names.</summary>
internal static partial class GatewayLog
{
    public const string RequestCategory = "Gateway.Request";

    private static readonly EventId RequestCompletedEvent = new(1, "request_completed");

    /// <summary>The <c>request_completed</c> line: Information, or Warning when the gateway answered 5xx.</summary>
    public static void RequestCompleted(ILogger logger, RequestLog log, double durationMs)
    {
        var level = log.HttpStatus >= 500 ? LogLevel.Warning : LogLevel.Information;
        if (logger.IsEnabled(level))
        {
            logger.Log(level, RequestCompletedEvent, new RequestCompletedEntry(log, durationMs), null, RequestCompletedEntry.Format);
        }
    }

    public static void AttemptFailed(ILogger logger, string requestId, string provider, string targetModel, Routing.UpstreamFailure failure) =>
        AttemptFailed(logger, requestId, provider, targetModel, failure.Kind, failure.Detail, failure.Upstream?.Type ?? "-", failure.Upstream?.Code ?? "-", failure.Upstream?.Message ?? "-");

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "upstream_attempt_failed request_id={request_id} provider={provider} target_model={target_model} kind={kind} detail={detail} " +
        "upstream_error_type={upstream_error_type} upstream_error_code={upstream_error_code} upstream_message={upstream_message}")]
    private static partial void AttemptFailed(ILogger logger, string request_id, string provider, string target_model, Routing.FailureKind kind, string detail, string upstream_error_type, string upstream_error_code, string upstream_message);

    /// <summary>An admin change (SPEC: every admin change is logged): what changed and a short fingerprint of the admin key; never a secret.</summary>
    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "admin_change action={action} subject={subject} detail={detail} admin_key={admin_key}")]
    public static partial void AdminChange(ILogger logger, string action, string subject, string detail, string admin_key);

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
