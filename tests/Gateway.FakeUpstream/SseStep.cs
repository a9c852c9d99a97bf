using System.Text;

namespace Gateway.FakeUpstream;

/// <summary>One step of a scripted response body: bytes to write, a pause, a reset or a hang.</summary>
public abstract record SseStep
{
    /// <summary>Bytes written and flushed as they are.</summary>
    public sealed record Raw(byte[] Bytes) : SseStep;

    /// <summary>A pause before the next step.</summary>
    public sealed record Pause(TimeSpan Duration) : SseStep;

    /// <summary>Bytes made when the step is written (after the pauses before it), then flushed.</summary>
    public sealed record Fresh(Func<byte[]> Bytes) : SseStep;

    /// <summary>The connection is aborted (a reset mid-stream).</summary>
    public sealed record Reset : SseStep;

    /// <summary>Nothing more is sent until the client goes away.</summary>
    public sealed record Hang : SseStep;

    /// <summary><c>data: {json}\n\n</c>.</summary>
    public static SseStep Data(string json) => new Raw(Encoding.UTF8.GetBytes("data: " + json + "\n\n"));

    /// <summary><c>data: [DONE]\n\n</c>.</summary>
    public static SseStep Done() => new Raw("data: [DONE]\n\n"u8.ToArray());

    /// <summary>Text written as is (for CRLF framing, comments, partial events).</summary>
    public static SseStep Text(string text) => new Raw(Encoding.UTF8.GetBytes(text));

    public static SseStep Delay(int milliseconds) => new Pause(TimeSpan.FromMilliseconds(milliseconds));
}
