using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.Anthropic;
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

    /// <summary>The client's format is the target's: the byte path, no neutral conversation.</summary>
    public static bool PassesThrough(ChatRequest request, RouteTarget target) => (request.Format, target.Provider.Kind) switch
    {
        (WireFormat.OpenAIChat, ProviderKind.OpenAI) => true,
        (WireFormat.AnthropicMessages, ProviderKind.Anthropic) => true,
        _ => false,
    };

    /// <summary>The codec factory for the attempts of <paramref name="request"/>.</summary>
    public Func<RouteTarget, IAttemptCodec> For(ChatRequest request) => target => Create(request, target);

    private IAttemptCodec Create(ChatRequest request, RouteTarget target)
    {
        var provider = target.Provider;
        return (request.Format, provider.Kind) switch
        {
            (WireFormat.OpenAIChat, ProviderKind.OpenAI) => new OpenAIPassThroughCodec(request, target, _estimator),
            (WireFormat.AnthropicMessages, ProviderKind.OpenAI) => new TranslatingCodec(
                request,
                target,
                OpenAIChatRequestWriter.Instance,
                new OpenAIChatDecoder(),
                new AnthropicEncoder(request.Model, Opaque.From(string.Empty, ProviderKind.OpenAI, provider.Id)),
                _estimator),
            _ => throw new NotSupportedException($"No codec for {request.Format} clients and {provider.Kind} targets."),
        };
    }
}
