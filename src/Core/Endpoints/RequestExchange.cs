using System.Diagnostics;
using System.Buffers;
using Gateway.Chat;
using Gateway.Diagnostics;
using Gateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>One request as it moves through the gateway: its id, trace, timing and log fields.</summary>
internal sealed class RequestExchange
{
    /// <param name="http">The request.</param>
    /// <param name="route">The route's name in the log line and metrics.</param>
    /// <param name="protocol">The client's wire format.</param>
    /// <param name="time">The clock.</param>
    /// <param name="template">The route template, for the span's name (<paramref name="route"/> when not given).</param>
    public RequestExchange(HttpContext http, string route, IInboundProtocol protocol, TimeProvider time, string? template = null)
    {
        Http = http;
        Protocol = protocol;
        Started = time.GetTimestamp();
        var incoming = http.Request.Headers["x-request-id"].ToString();
        RequestId = IsValidRequestId(incoming) ? incoming : RequestIds.New();
        Span = GatewayTracing.StartRequest(http.Request.Headers["traceparent"].ToString(), http.Request.Method, template ?? route, out var parent);
        TraceParent = Span?.Id ?? GatewayTracing.TraceParentWithoutSpan(parent);
        Log = new RequestLog
        {
            RequestId = RequestId,
            Route = route,
            Client = ClientKind.FromUserAgent(http.Request.Headers.UserAgent.ToString()),
        };
    }

    public HttpContext Http { get; }

    /// <summary>The client's wire format (its error envelope and stream framing), decided by the route.</summary>
    public IInboundProtocol Protocol { get; }

    public string RequestId { get; }

    /// <summary>The request's span (null when no tracer listens).</summary>
    public Activity? Span { get; }

    /// <summary>The <c>traceparent</c> upstream calls carry when no attempt span of their own exists.</summary>
    public string TraceParent { get; }

    public long Started { get; }

    public RequestLog Log { get; }

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>Answers with <paramref name="error"/> in the inbound format's envelope (before the response started).</summary>
    public Task WriteErrorAsync(GatewayError error)
    {
        Log.EndReason = error.EndReason;
        return Protocol.WriteErrorAsync(Http.Response, error);
    }

    // A client's x-request-id is kept when it is 1 to 128 of [A-Za-z0-9._:-] (a plain scan: no regex engine
    // is loaded for it).
    private static readonly SearchValues<char> RequestIdChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

    private static bool IsValidRequestId(string value) => value.Length is > 0 and <= 128 && !value.AsSpan().ContainsAnyExcept(RequestIdChars);
}
