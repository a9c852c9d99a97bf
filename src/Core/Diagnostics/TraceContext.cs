using System.Diagnostics;

namespace Gateway.Diagnostics;

/// <summary>
/// W3C trace context (SPEC §4 Headers): an incoming <c>traceparent</c> is continued with the same trace
/// id and the gateway's own span as the parent of the upstream call; otherwise a new trace starts.
/// </summary>
internal readonly record struct TraceContext(ActivityTraceId TraceId, ActivitySpanId SpanId, bool Sampled)
{
    public static TraceContext NewRoot() => new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), false);

    /// <summary>The gateway's span: the incoming trace (if valid) with a fresh span id.</summary>
    public static TraceContext Continue(string? traceparent)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            return new TraceContext(activity.TraceId, activity.SpanId, activity.Recorded);
        }

        return TryParse(traceparent, out var traceId, out var sampled)
            ? new TraceContext(traceId, ActivitySpanId.CreateRandom(), sampled)
            : NewRoot();
    }

    public string ToTraceParent() => $"00-{TraceId.ToHexString()}-{SpanId.ToHexString()}-{(Sampled ? "01" : "00")}";

    // version "00" only; trace and parent ids lower-case hex and not all zeros (W3C Trace Context §3.2).
    private static bool TryParse(string? value, out ActivityTraceId traceId, out bool sampled)
    {
        traceId = default;
        sampled = false;
        if (value is null || value.Length != 55 || !value.StartsWith("00-", StringComparison.Ordinal) || value[35] != '-' || value[52] != '-')
        {
            return false;
        }

        var trace = value.AsSpan(3, 32);
        var parent = value.AsSpan(36, 16);
        var flags = value.AsSpan(53, 2);
        if (!IsLowerHex(trace) || !IsLowerHex(parent) || !IsLowerHex(flags) || IsAllZeros(trace) || IsAllZeros(parent))
        {
            return false;
        }

        traceId = ActivityTraceId.CreateFromString(trace);
        sampled = (Convert.ToByte(flags.ToString(), 16) & 1) == 1;
        return true;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllZeros(ReadOnlySpan<char> text) => !text.ContainsAnyExcept('0');
}
