using Gateway.Chat;
using Gateway.Routing;

namespace Gateway.Pipeline;

/// <summary>The upstream side of a translation: the target's request body, written from the neutral conversation.</summary>
internal interface IUpstreamRequestWriter
{
    ReadOnlyMemory<byte> Write(ChatRequest request, RouteTarget target, bool stream);
}
