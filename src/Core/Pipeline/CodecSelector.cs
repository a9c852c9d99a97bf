using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.Anthropic;
using Gateway.Protocols.OpenAIChat;
using Gateway.Protocols.OpenAIResponses;
using Gateway.Diagnostics;
using Gateway.Routing;
using Gateway.State;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline;

/// <summary>
/// Picks each attempt's codec from the client's format and the target's kind: the same format with
/// nothing to emulate passes bytes through; anything else translates through the neutral model.
/// </summary>
internal sealed class CodecSelector
{
    private readonly TokenEstimator _estimator;
    private readonly ThinkingMemory _thinking;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public CodecSelector(TokenEstimator estimator, ThinkingMemory thinking, ILoggerFactory loggers, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _estimator = estimator;
        _thinking = thinking;
        _logger = loggers.CreateLogger(GatewayLog.RequestCategory);
    }

    /// <summary>The client's format is the target's: the byte path, no neutral conversation.</summary>
    public static bool PassesThrough(ChatRequest request, RouteTarget target) => (request.Format, target.Provider.Kind) switch
    {
        (WireFormat.OpenAIChat, ProviderKind.OpenAI) => true,
        (WireFormat.AnthropicMessages, ProviderKind.Anthropic) => true,
        _ => false,
    };

    /// <summary>The codec factory for the attempts of <paramref name="request"/>, made with the client key <paramref name="keyName"/>.</summary>
    public Func<RouteTarget, IAttemptCodec> For(ChatRequest request, string keyName = "-", string requestId = "-") =>
        target => Create(request, target, keyName, requestId);

    private IAttemptCodec Create(ChatRequest request, RouteTarget target, string keyName, string requestId)
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
            (WireFormat.AnthropicMessages, ProviderKind.Anthropic) => new AnthropicPassThroughCodec(request, target),
            (WireFormat.OpenAIChat, ProviderKind.Anthropic) => new TranslatingCodec(
                request,
                target,
                AnthropicRequestWriter.Instance,
                new AnthropicDecoder(provider.Id),
                new OpenAIChatEncoder(request, rewriteThinking: false, target.Model, _time.GetUtcNow().ToUnixTimeSeconds()),
                _estimator,
                _thinking.Recorder(keyName, ex => GatewayLog.ThinkingWriteFailed(_logger, requestId, ex))),
            (WireFormat.OpenAIResponses, ProviderKind.OpenAI) => new TranslatingCodec(
                request,
                target,
                OpenAIChatRequestWriter.Instance,
                new OpenAIChatDecoder(),
                ResponsesClient(request, Opaque.From(string.Empty, ProviderKind.OpenAI, provider.Id)),
                _estimator),
            (WireFormat.OpenAIResponses, ProviderKind.Anthropic) => new TranslatingCodec(
                request,
                target,
                AnthropicRequestWriter.Instance,
                new AnthropicDecoder(provider.Id),
                ResponsesClient(request, null),
                _estimator),
            _ => throw new NotSupportedException($"No codec for {request.Format} clients and {provider.Kind} targets."),
        };
    }

    private IClientEncoder ResponsesClient(ChatRequest request, Opaque? unsignedReasoningOrigin)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        return request.Compaction ? new ResponsesCompaction(request, now) : new ResponsesEncoder(request, unsignedReasoningOrigin, now);
    }
}
