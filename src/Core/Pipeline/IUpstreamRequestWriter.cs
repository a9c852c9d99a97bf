using Gateway.Chat;
using Gateway.Routing;

namespace Gateway.Pipeline;

/// <summary>The upstream side of a translation: the target's request body, written from the neutral conversation.</summary>
internal interface IUpstreamRequestWriter
{
    ReadOnlyMemory<byte> Write(ChatRequest request, RouteTarget target, bool stream);

    /// <summary>
    /// The same turn without the upstream session the first body carried (the upstream no longer knows it),
    /// or null when there was none: the attempt then sends it once more.
    /// </summary>
    ReadOnlyMemory<byte>? WithoutSession(ChatRequest request, RouteTarget target, bool stream) => null;
}
