using System.Text;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Streaming;
using Gateway.Tests.Protocols.Anthropic;

namespace Gateway.Tests.Pipeline;

/// <summary>Runs an upstream SSE transcript through a codec and writes what the client gets, event by event.</summary>
internal static class Transcripts
{
    /// <summary>
    /// Each upstream event's step (<c># Content</c>, …) followed by the client frames it produced; an error or
    /// malformed event ends the stream as interrupted; last, how the stream ended and its final frames.
    /// </summary>
    public static async Task<string> RunAsync(IAttemptCodec codec, string upstreamSse)
    {
        var frames = new List<SseFrame>();
        var transcript = new StringBuilder();
        using var body = new ReadActivityStream(new MemoryStream(Encoding.UTF8.GetBytes(upstreamSse)), TimeProvider.System);
        GatewayError? interruption = null;
        await foreach (var e in SseEventReader.ReadAsync(body, CancellationToken.None))
        {
            var step = codec.OnUpstreamEvent(e, frames);
            transcript.Append("# ").Append(step).Append('\n');
            AnthropicInboundGoldenTests.Flush(frames, transcript);
            if (step is StreamStep.UpstreamError or StreamStep.Malformed)
            {
                interruption = StreamErrors.Interrupted("The upstream reported an error mid-stream.");
                break;
            }
        }

        transcript.Append("# end: ").Append(codec.OnUpstreamEnd(frames, interruption)).Append('\n');
        AnthropicInboundGoldenTests.Flush(frames, transcript);
        return transcript.ToString();
    }
}
