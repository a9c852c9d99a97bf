using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Diagnostics;
using Gateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>One request as it moves through the gateway: its id, trace, timing and log fields.</summary>
internal sealed partial class RequestExchange
{
    public RequestExchange(HttpContext http, string route, IInboundProtocol protocol, TimeProvider time)
    {
        Http = http;
        Protocol = protocol;
        Started = time.GetTimestamp();
        var incoming = http.Request.Headers["x-request-id"].ToString();
        RequestId = incoming.Length > 0 && RequestIdPattern().IsMatch(incoming) ? incoming : RequestIds.New();
        Trace = TraceContext.Continue(http.Request.Headers["traceparent"].ToString());
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

    public TraceContext Trace { get; }

    public long Started { get; }

    public RequestLog Log { get; }

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>Answers with <paramref name="error"/> in the inbound format's envelope (before the response started).</summary>
    public Task WriteErrorAsync(GatewayError error)
    {
        Log.EndReason = error.EndReason;
        return Protocol.WriteErrorAsync(Http.Response, error);
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex RequestIdPattern();
}
