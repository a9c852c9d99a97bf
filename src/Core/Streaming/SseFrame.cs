namespace Gateway.Streaming;

/// <summary>
/// One server-sent event for the client: its data payload and, for formats that name their events
/// (Anthropic Messages, Responses), the <c>event:</c> name. OpenAI Chat Completions frames have none.
/// </summary>
internal readonly record struct SseFrame(ReadOnlyMemory<byte> Data, byte[]? EventName = null)
{
    /// <summary>The OpenAI Chat Completions end marker, <c>data: [DONE]</c>.</summary>
    public static readonly SseFrame Done = new("[DONE]"u8.ToArray());

    public static implicit operator SseFrame(ReadOnlyMemory<byte> data) => new(data);
}
