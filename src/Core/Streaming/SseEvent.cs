namespace Gateway.Streaming;

/// <summary>One server-sent event read from an upstream: its type and its (joined) data bytes.</summary>
internal readonly record struct SseEvent(string EventType, ReadOnlyMemory<byte> Data)
{
    /// <summary>True for the OpenAI end marker <c>data: [DONE]</c>.</summary>
    public bool IsDone => Data.Span.Trim(" \t"u8).SequenceEqual("[DONE]"u8);
}
