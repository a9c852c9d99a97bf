using Gateway.Chat;
using Gateway.Providers;

namespace Gateway.Endpoints;

/// <summary>What every upstream attempt of one chat request shares.</summary>
internal sealed record ChatAttemptContext(RequestExchange Exchange, ChatRequest Request, UpstreamCallContext Call, string? PreferredTargetKey);
