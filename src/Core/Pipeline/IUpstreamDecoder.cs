using Gateway.Chat;
using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Pipeline;

/// <summary>The upstream side of a translation: the target's events and answers as neutral updates. One per attempt.</summary>
internal interface IUpstreamDecoder
{
    /// <summary>
    /// Decodes one upstream event into <paramref name="updates"/>. Returns <see cref="StreamStep.UpstreamError"/>
    /// or <see cref="StreamStep.Malformed"/> for events that end the attempt, else <see cref="StreamStep.Preamble"/>
    /// (the caller decides content from the updates).
    /// </summary>
    StreamStep Decode(in SseEvent upstream, List<ChatUpdate> updates);

    /// <summary>Decodes a whole (non-stream) answer; false when the body is not an answer.</summary>
    bool DecodeWhole(ReadOnlySpan<byte> body, List<ChatUpdate> updates);

    /// <summary>Why an error event or a body that is not an answer failed the attempt.</summary>
    UpstreamFailure FailureOf(ReadOnlySpan<byte> data, int status, string detail);
}
