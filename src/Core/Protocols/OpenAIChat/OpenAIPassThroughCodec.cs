using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// OpenAI Chat Completions in and out: the byte path. The request is copied member by member with only
/// the gateway's own members rewritten, and a stream chunk that needs no change is forwarded as the same
/// bytes; no neutral conversation is built.
/// </summary>
internal sealed class OpenAIPassThroughCodec : IAttemptCodec
{
    private readonly ChatRequest _request;
    private readonly RouteTarget _target;
    private readonly bool _promptTags;
    private readonly TokenEstimator _estimator;
    private OpenAIChatStreamProcessor? _streamProcessor;
    private TokenUsage? _wholeUsage;
    private FinishReason? _wholeFinish;

    public OpenAIPassThroughCodec(ChatRequest request, RouteTarget target, TokenEstimator estimator)
    {
        _request = request;
        _target = target;
        _estimator = estimator;
        _promptTags = target.Provider.Thinking == Configuration.ThinkingMode.PromptTags;
    }

    public TokenUsage? Usage => _streamProcessor?.Usage ?? _wholeUsage;

    public FinishReason? Finish => _streamProcessor?.LastFinishReason ?? _wholeFinish;

    // Built on the first event: a non-stream attempt never needs its buffers.
    private OpenAIChatStreamProcessor StreamProcessor => _streamProcessor ??= new OpenAIChatStreamProcessor(_request, RewritesThinking, _estimator);

    private bool RewritesThinking => _promptTags && _request.ThinkingBudget is not null;

    public ReadOnlyMemory<byte> UpstreamBody(bool stream) =>
        OpenAIChatRequestBuilder.Build(_request, _target.Model, stream && _target.Provider.Options.StreamOptions, _promptTags, _target.Provider.Thinking == Configuration.ThinkingMode.Off);

    public StreamStep OnUpstreamEvent(in SseEvent upstream, List<SseFrame> toClient) => StreamProcessor.Process(upstream.Data, toClient);

    public StreamEnd OnUpstreamEnd(List<SseFrame> toClient, GatewayError? interruption)
    {
        var end = StreamProcessor.Finish(toClient);
        if (end == StreamEnd.Interrupted)
        {
            toClient.Add(OpenAIErrorEnvelope.Serialize(interruption ?? StreamErrors.Interrupted()));
            if (_request.ClientWantsUsage)
            {
                StreamProcessor.AppendUsageChunk(toClient);
            }
        }

        toClient.Add(SseFrame.Done);
        return end;
    }

    public IReadOnlyList<SseEvent>? EventsOfWhole(ReadOnlySpan<byte> upstreamBody)
    {
        if (CompletionToChunks.TryConvert(upstreamBody) is not { } chunks)
        {
            return null;
        }

        var events = new SseEvent[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
        {
            events[i] = new SseEvent("message", chunks[i]);
        }

        return events;
    }

    public bool TryAnswerWhole(ReadOnlyMemory<byte> upstreamBody, out ReadOnlyMemory<byte> answer)
    {
        var processor = new OpenAIChatCompletionProcessor(_request, RewritesThinking, _estimator);
        if (!processor.TryProcess(upstreamBody, out answer, out var usage, out var finish))
        {
            return false;
        }

        (_wholeUsage, _wholeFinish) = (usage, finish);
        return true;
    }

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> upstreamData, int status, string detail) =>
        FailureClassifier.FromBody(OpenAIErrorEnvelope.ExtractMessage(upstreamData), status, detail);
}
