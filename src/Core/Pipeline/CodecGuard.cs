using System.Text.Json;
using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Pipeline;

/// <summary>
/// The runners' calls into a codec on upstream data. Whatever the upstream sends (a cut-off event, a
/// string that is not valid Unicode, a repeated key) is data, not a bug: a codec that trips over it has
/// met a malformed answer, which fails the attempt (before content) or ends the stream with the client
/// format's error event (after it) — never a 500 or a connection dropped without a word.
/// </summary>
internal static class CodecGuard
{
    public static StreamStep OnUpstreamEvent(IAttemptCodec codec, in SseEvent upstream, List<SseFrame> toClient)
    {
        var before = toClient.Count;
        try
        {
            return codec.OnUpstreamEvent(upstream, toClient);
        }
        catch (Exception ex) when (IsBadData(ex))
        {
            // Frames of the half-read event are not sent.
            toClient.RemoveRange(before, toClient.Count - before);
            return StreamStep.Malformed;
        }
    }

    public static UpstreamFailure FailureOf(IAttemptCodec codec, ReadOnlySpan<byte> upstreamData, int status, string detail)
    {
        try
        {
            return codec.FailureOf(upstreamData, status, detail);
        }
        catch (Exception ex) when (IsBadData(ex))
        {
            return new UpstreamFailure(FailureKind.BadResponse, status, detail);
        }
    }

    public static bool TryAnswerWhole(IAttemptCodec codec, ReadOnlyMemory<byte> upstreamBody, out ReadOnlyMemory<byte> answer)
    {
        try
        {
            return codec.TryAnswerWhole(upstreamBody, out answer);
        }
        catch (Exception ex) when (IsBadData(ex))
        {
            answer = default;
            return false;
        }
    }

    public static IReadOnlyList<SseEvent>? EventsOfWhole(IAttemptCodec codec, ReadOnlySpan<byte> upstreamBody)
    {
        try
        {
            return codec.EventsOfWhole(upstreamBody);
        }
        catch (Exception ex) when (IsBadData(ex))
        {
            return null;
        }
    }

    private static bool IsBadData(Exception ex) =>
        ex is JsonException or InvalidOperationException or ArgumentException or FormatException or OverflowException;
}
