using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Routing;

namespace Gateway.Pipeline;

/// <summary>
/// Writing the upstream body can meet client input the index accepted but a DOM refuses (a duplicate
/// property inside a message, say). That is the client's mistake: a 400 for this attempt, never a 500.
/// </summary>
internal static class UntranslatableRequest
{
    /// <summary>The failure when the body cannot be written; null with <paramref name="body"/> set otherwise.</summary>
    public static UpstreamFailure? TryWrite(IAttemptCodec codec, ChatRequest request, bool stream, out ReadOnlyMemory<byte> body) =>
        TryWrite((codec, stream), static s => s.codec.UpstreamBody(s.stream), request, out body);

    /// <summary>
    /// The same for any writer of an upstream body built from <paramref name="request"/>; what it needs comes as
    /// <paramref name="state"/>, so that a static lambda does (a capturing one was a closure per attempt).
    /// </summary>
    public static UpstreamFailure? TryWrite<TState>(TState state, Func<TState, ReadOnlyMemory<byte>> write, ChatRequest request, out ReadOnlyMemory<byte> body)
    {
        try
        {
            body = write(state);
            return null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            body = default;

            // A string the writer had to decode but could not (an escaped lone surrogate) is named for the client.
            var undecodable = ex is InvalidOperationException ? JsonStrings.FindUndecodable(request.Body.Source.Span) : null;
            return new UpstreamFailure(FailureKind.ClientError, 400, "request body could not be written for the target")
            {
                ClientMessage = undecodable is not null ? JsonStrings.Undecodable(undecodable) : "The request could not be sent to the upstream: " + ex.Message,
            };
        }
    }
}
