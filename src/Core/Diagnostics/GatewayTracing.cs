using System.Diagnostics;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Diagnostics;

/// <summary>
/// Traces (SPEC §4 Headers, §5 Observability): one server span per request and one client span per
/// upstream attempt on the <c>Gateway</c> <see cref="ActivitySource"/>, with GenAI attributes and never
/// prompt text. The client's <c>traceparent</c> is continued (same trace id, the gateway's span as parent of
/// the upstream call). Nothing listening (no exporter, telemetry off) means no span objects at all; the
/// upstream still gets a <c>traceparent</c> in the caller's trace.
/// </summary>
internal static class GatewayTracing
{
    /// <summary>Name of the gateway's activity source (what a tracer provider subscribes to).</summary>
    public const string SourceName = "Gateway";

    public static readonly ActivitySource Source = new(SourceName);

    private const string AspNetCoreRequestActivity = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    /// <summary>
    /// The request's span, child of the client's <c>traceparent</c> when it is valid, else of the host's
    /// current activity (the Functions invocation), else a new trace. Null when nothing listens.
    /// </summary>
    public static Activity? StartRequest(string? traceparent, string method, string template, out ActivityContext parent)
    {
        parent = ParentOf(traceparent);
        if (!Source.HasListeners())
        {
            return null;
        }

        var name = method + " /" + template;
        var activity = Source.StartActivity(name, ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", method);
            activity.SetTag("http.route", "/" + template);
        }

        return activity;
    }

    /// <summary>The <c>traceparent</c> sent upstream when no span of the gateway's exists: the caller's trace, a fresh span id.</summary>
    public static string TraceParentWithoutSpan(in ActivityContext parent)
    {
        var traceId = parent.TraceId == default ? ActivityTraceId.CreateRandom() : parent.TraceId;
        var sampled = (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0;

        // "00-" trace id "-" span id "-" flags, written in place: one string per request instead of four.
        return string.Create(55, (traceId, SpanId: ActivitySpanId.CreateRandom(), sampled), static (chars, ids) =>
        {
            Span<byte> bytes = stackalloc byte[16];
            "00-".CopyTo(chars);
            ids.traceId.CopyTo(bytes);
            Convert.TryToHexStringLower(bytes, chars.Slice(3, 32), out _);
            chars[35] = '-';
            ids.SpanId.CopyTo(bytes[..8]);
            Convert.TryToHexStringLower(bytes[..8], chars.Slice(36, 16), out _);
            (ids.sampled ? "-01" : "-00").CopyTo(chars[52..]);
        });
    }

    /// <summary>A new trace's <c>traceparent</c> (background calls such as the model-list job).</summary>
    public static string NewTraceParent() => TraceParentWithoutSpan(default);

    /// <summary>An upstream attempt's span (child of the current request span). Null when nothing listens.</summary>
    public static Activity? StartAttempt(RouteTarget target, int attempt)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("chat " + target.Model, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            var provider = target.Provider;
            activity.SetTag("gen_ai.operation.name", "chat");
            activity.SetTag("gen_ai.provider.name", ProviderName(provider.Kind));
            activity.SetTag("gen_ai.request.model", target.Model);
            activity.SetTag("gateway.provider", provider.Id);
            activity.SetTag("gateway.attempt", attempt);
            activity.SetTag("server.address", provider.ChatUri.Host);
            activity.SetTag("server.port", provider.ChatUri.Port);
        }

        return activity;
    }

    /// <summary>Marks an attempt's span with how it ended.</summary>
    public static void EndAttempt(Activity? activity, UpstreamFailure? failure, bool circuitOpen = false)
    {
        if (activity is null)
        {
            return;
        }

        if (circuitOpen)
        {
            // Polly refused the call (the target's circuit opened meanwhile): no request left the gateway.
            activity.SetTag("gateway.skipped", "circuit_open");
        }
        else if (failure is not null)
        {
            activity.SetTag("error.type", FailureKinds.Name(failure.Kind));
            if (failure.Status is { } status)
            {
                activity.SetTag("http.response.status_code", status);
            }

            activity.SetStatus(ActivityStatusCode.Error, failure.Kind.ToString());
        }

        activity.Dispose();
    }

    /// <summary>The <c>traceparent</c> for an upstream call: the current attempt's span when it is the gateway's, else <paramref name="fallback"/>.</summary>
    public static string UpstreamTraceParent(string fallback) =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current && ReferenceEquals(current.Source, Source) && current.Id is { } id ? id : fallback;

    // The GenAI conventions' well-known provider names; a chat site has none, so it is named by its kind.
    private static string ProviderName(ProviderKind kind) => kind switch
    {
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Gemini => "gcp.gemini",
        ProviderKind.ChatSite => "chat_site",
        _ => "openai",
    };

    private static ActivityContext ParentOf(string? traceparent)
    {
        // Version 00 only, lower-case hex, no all-zero ids (W3C Trace Context §3.2); anything else starts over.
        if (traceparent is { Length: 55 } && traceparent.StartsWith("00-", StringComparison.Ordinal) && IsLowerHex(traceparent)
            && ActivityContext.TryParse(traceparent, null, isRemote: true, out var parsed))
        {
            return parsed;
        }

        // The Functions worker's invocation span is exported with ours, so it is the parent; ASP.NET Core's own
        // request activity on the Server is not (no instrumentation exports it), so it would be a dangling parent.
        return Activity.Current is { IdFormat: ActivityIdFormat.W3C } current && !ReferenceEquals(current.Source, Source) && current.OperationName != AspNetCoreRequestActivity
            ? current.Context
            : default;
    }

    private static bool IsLowerHex(string traceparent)
    {
        foreach (var c in traceparent)
        {
            if (c is not ('-' or (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
