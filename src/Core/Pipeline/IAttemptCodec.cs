using Gateway.Chat;
using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Pipeline;

/// <summary>
/// The formats of one upstream attempt: what the client speaks and what the target speaks. Built per
/// attempt, so failover may cross formats. The runners know only this: they move bytes, run the clocks
/// and decide failover; the codec writes the upstream body, turns upstream events into client frames,
/// ends the stream and answers whole bodies, all in the client's format.
/// </summary>
internal interface IAttemptCodec
{
    /// <summary>The body to send upstream.</summary>
    ReadOnlyMemory<byte> UpstreamBody(bool stream);

    /// <summary>The body again without the upstream session it carried (the upstream answered 4xx to it); null when there was none.</summary>
    ReadOnlyMemory<byte>? WithoutSession(bool stream) => null;

    /// <summary>Where the body goes when not to the provider's chat URI (a Responses upstream's own API); null otherwise.</summary>
    Uri? UpstreamUri => null;

    /// <summary>Turns one upstream event into client frames (appended to <paramref name="toClient"/>).</summary>
    StreamStep OnUpstreamEvent(in SseEvent upstream, List<SseFrame> toClient);

    /// <summary>
    /// Ends the client's stream: the last frames, the usage, the terminal event. With an
    /// <paramref name="interruption"/> (or when the upstream stopped before the answer was complete) the
    /// stream ends with the client format's error event instead of a finish. Call once.
    /// </summary>
    StreamEnd OnUpstreamEnd(List<SseFrame> toClient, GatewayError? interruption);

    /// <summary>
    /// The events of a whole (JSON) upstream answer, for an upstream that answered a stream request
    /// without streaming; null when the body is not an answer.
    /// </summary>
    IReadOnlyList<SseEvent>? EventsOfWhole(ReadOnlySpan<byte> upstreamBody);

    /// <summary>The client's answer to a whole upstream answer; false when the body is not an answer.</summary>
    bool TryAnswerWhole(ReadOnlyMemory<byte> upstreamBody, out ReadOnlyMemory<byte> answer);

    /// <summary>
    /// Why an upstream error event (or a body that is not an answer) failed the attempt: credentials,
    /// billing or quota text fail over as an auth failure, an overloaded upstream as retryable, the rest
    /// as a bad response.
    /// </summary>
    UpstreamFailure FailureOf(ReadOnlySpan<byte> upstreamData, int status, string detail);

    /// <summary>
    /// Finishes a completed answer before its last frame goes to the client (see <see cref="ITurnObserver.FlushAsync"/>).
    /// </summary>
    ValueTask FinishTurnAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Usage of the answer, reported or estimated; known once the stream ended or the answer was built.</summary>
    TokenUsage? Usage { get; }

    /// <summary>The finish reason the client got last (the log's end reason).</summary>
    FinishReason? Finish { get; }
}
