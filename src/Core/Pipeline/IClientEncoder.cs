using Gateway.Chat;
using Gateway.Streaming;

namespace Gateway.Pipeline;

/// <summary>The client side of a translation: neutral updates as the client's frames or whole answer. One per attempt.</summary>
internal interface IClientEncoder
{
    /// <summary>Every choice the answer has (at least one, and as many as the client asked for) has finished.</summary>
    bool AllChoicesFinished { get; }

    /// <summary>The last finish reason the client was given.</summary>
    FinishReason? Finish { get; }

    /// <summary>Encodes the updates of one upstream event (appending frames; several updates may share one frame).</summary>
    void Encode(List<ChatUpdate> updates, List<SseFrame> frames);

    /// <summary>
    /// Ends the stream: when <see cref="AllChoicesFinished"/>, the final frames with <paramref name="usage"/>;
    /// otherwise the client format's error event for <paramref name="interruption"/>. Then the terminal frame.
    /// </summary>
    void Complete(List<SseFrame> frames, TokenUsage usage, GatewayError interruption);

    /// <summary>The whole answer of a non-stream request.</summary>
    ReadOnlyMemory<byte> EncodeWhole(List<ChatUpdate> updates, TokenUsage usage);
}
