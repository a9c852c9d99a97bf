using Gateway.Chat;

namespace Gateway.Pipeline;

/// <summary>Why a stream that had started ends with an error event (SPEC §5 Streaming): never a fake finish.</summary>
internal static class StreamErrors
{
    public static GatewayError Interrupted(string message = "The upstream ended the stream before it finished.", string endReason = "upstream_error") =>
        new(502, "upstream_error", "stream_interrupted", message) { EndReason = endReason };
}
