using Gateway.Chat;
using Gateway.Endpoints;
using Gateway.Providers;
using Gateway.Routing;

namespace Gateway.Pipeline;

/// <summary>What every upstream attempt of one chat request shares.</summary>
/// <param name="Exchange">The client's request and its log line.</param>
/// <param name="Request">The parsed inbound request.</param>
/// <param name="CodecFor">Builds the codec of one attempt for its target (the target's kind picks the upstream format).</param>
/// <param name="Call">Values that go on every upstream call.</param>
/// <param name="PreferredTargetKey">The session's last target, tried first when usable.</param>
internal sealed record ChatAttemptContext(
    RequestExchange Exchange,
    ChatRequest Request,
    Func<RouteTarget, IAttemptCodec> CodecFor,
    UpstreamCallContext Call,
    string? PreferredTargetKey);
