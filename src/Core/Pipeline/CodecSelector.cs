using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.Anthropic;
using Gateway.Protocols.ChatSite;
using Gateway.Protocols.Gemini;
using Gateway.Protocols.OpenAIChat;
using Gateway.Protocols.OpenAIResponses;
using Gateway.Diagnostics;
using Gateway.Metrics;
using Gateway.Routing;
using Gateway.State;
using Gateway.Tools;
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
    private readonly ResponseHistory? _responses;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics? _metrics;

    public CodecSelector(TokenEstimator estimator, ThinkingMemory thinking, ILoggerFactory loggers, TimeProvider? time = null, ResponseHistory? responses = null, GatewayMetrics? metrics = null)
    {
        _metrics = metrics;
        _responses = responses;
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
        (WireFormat.OpenAIResponses, ProviderKind.OpenAI) => target.Provider.ResponsesUri is not null,
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
                _thinking.Recorder(keyName, ThinkingWriteFailed(requestId))),
            (WireFormat.OpenAIResponses, ProviderKind.OpenAI) when provider.ResponsesUri is not null => NativeResponses(request, target, keyName, requestId),
            (WireFormat.OpenAIResponses, ProviderKind.OpenAI) => Responses(request, target, OpenAIChatRequestWriter.Instance, new OpenAIChatDecoder(), Opaque.From(string.Empty, ProviderKind.OpenAI, provider.Id), keyName, requestId),
            (WireFormat.OpenAIResponses, ProviderKind.Anthropic) => Responses(request, target, AnthropicRequestWriter.Instance, new AnthropicDecoder(provider.Id), null, keyName, requestId),

            // Gemini's thoughtSignatures ride on thinking blocks (Anthropic), reasoning items (Responses) and
            // tool calls (OpenAI Chat, where the signature store also keeps them by tool-call id).
            (WireFormat.OpenAIChat, ProviderKind.Gemini) => new TranslatingCodec(
                request,
                target,
                GeminiRequestWriter.Instance,
                new GeminiDecoder(provider.Id),
                new OpenAIChatEncoder(request, rewriteThinking: false, target.Model, _time.GetUtcNow().ToUnixTimeSeconds()),
                _estimator,
                _thinking.Recorder(keyName, ThinkingWriteFailed(requestId))),
            (WireFormat.AnthropicMessages, ProviderKind.Gemini) => new TranslatingCodec(
                request,
                target,
                GeminiRequestWriter.Instance,
                new GeminiDecoder(provider.Id, textSignatures: false),
                new AnthropicEncoder(request.Model, Opaque.From(string.Empty, ProviderKind.Gemini, provider.Id)),
                _estimator),
            (WireFormat.OpenAIResponses, ProviderKind.Gemini) => Responses(request, target, GeminiRequestWriter.Instance, new GeminiDecoder(provider.Id), Opaque.From(string.Empty, ProviderKind.Gemini, provider.Id), keyName, requestId),
            (_, ProviderKind.ChatSite) => ChatSite(request, target, keyName, requestId),
            _ => throw new NotSupportedException($"No codec for {request.Format} clients and {provider.Kind} targets."),
        };
    }

    // Made only on the paths that record thinking: a lambda in Create itself was a closure allocated for every attempt.
    private Action<Exception> ThinkingWriteFailed(string requestId) => ex => GatewayLog.ThinkingWriteFailed(_logger, requestId, ex);

    // A Responses client: the compaction answer, or the Responses encoder (and, for a kept response, its keeper).
    private TranslatingCodec Responses(ChatRequest request, RouteTarget target, IUpstreamRequestWriter writer, IUpstreamDecoder decoder, Opaque? unsignedReasoningOrigin, string keyName, string requestId)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (request.Compaction)
        {
            return new TranslatingCodec(request, target, writer, decoder, new ResponsesCompaction(request, now), _estimator);
        }

        var encoder = new ResponsesEncoder(request, unsignedReasoningOrigin, now);
        var keeper = request.KeepResponse && _responses is not null
            ? _responses.Keeper(keyName, request, encoder, ex => GatewayLog.ResponseKeepFailed(_logger, requestId, ex))
            : null;
        return new TranslatingCodec(request, target, writer, decoder, encoder, _estimator, keeper);
    }

    // A chat site: its request and answer, with the tool loop emulated when the client offers tools.
    private TranslatingCodec ChatSite(ChatRequest request, RouteTarget target, string keyName, string requestId)
    {
        var conversation = request.Conversation!;
        var provider = target.Provider;
        var tools = conversation.Tools.Where(t => t.NativeJson is null).ToList();
        var use = SiteSessionUse.For(request.SiteSession, conversation, tools);
        var protocol = tools.Count > 0 ? new ToolProtocol(tools, conversation.ToolChoice, use.Continued?.Nonce) { ParallelOnlyOne = conversation.ParallelToolCalls == false } : null;
        var writer = new ChatSiteRequestWriter(protocol, use);
        IUpstreamDecoder decoder = new ChatSiteDecoder(request, use, protocol?.Nonce ?? use.Continued?.Nonce);
        if (protocol is { Offered: true })
        {
            var metrics = _metrics;
            decoder = new ToolLoopStage(decoder, protocol, metrics is null ? null : outcome => metrics.ToolLoopDecided(provider, outcome));
        }

        var origin = Opaque.From(string.Empty, ProviderKind.ChatSite, provider.Id);
        return request.Format switch
        {
            WireFormat.AnthropicMessages => new TranslatingCodec(request, target, writer, decoder, new AnthropicEncoder(request.Model, origin), _estimator),
            WireFormat.OpenAIResponses => Responses(request, target, writer, decoder, origin, keyName, requestId),
            _ => new TranslatingCodec(request, target, writer, decoder, new OpenAIChatEncoder(request, rewriteThinking: false, target.Model, _time.GetUtcNow().ToUnixTimeSeconds()), _estimator),
        };
    }

    // A Responses client and an upstream that serves the Responses API: the byte path (and, for a kept response, its keeper).
    private ResponsesPassThroughCodec NativeResponses(ChatRequest request, RouteTarget target, string keyName, string requestId)
    {
        var codec = new ResponsesPassThroughCodec(request, target);
        if (request.KeepResponse && !request.Compaction && _responses is not null)
        {
            codec.Keeper = _responses.Keeper(keyName, request, codec, ex => GatewayLog.ResponseKeepFailed(_logger, requestId, ex));
        }

        return codec;
    }
}
