using System.Text;
using Gateway.Chat;
using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Pipeline;

/// <summary>
/// An attempt whose target speaks another format than the client: the request is written from the
/// neutral conversation, upstream events are decoded into neutral updates and encoded as the client's
/// frames. Usage comes from the upstream when it reports any, else from the tokenizer.
/// </summary>
internal sealed class TranslatingCodec : IAttemptCodec
{
    /// <summary>The event type under which a whole answer is replayed through <see cref="OnUpstreamEvent"/>.</summary>
    private const string WholeAnswer = "gateway.whole-answer";

    private readonly ChatRequest _request;
    private readonly RouteTarget _target;
    private readonly IUpstreamRequestWriter _writer;
    private readonly IUpstreamDecoder _decoder;
    private readonly IClientEncoder _encoder;
    private readonly TokenEstimator _estimator;
    private readonly ITurnObserver? _observer;
    private readonly List<ChatUpdate> _updates = new(8);
    private readonly List<ChatUpdate> _whole = [];
    private readonly StringBuilder _emitted = new();
    private TokenUsage? _reported;

    public TranslatingCodec(
        ChatRequest request,
        RouteTarget target,
        IUpstreamRequestWriter writer,
        IUpstreamDecoder decoder,
        IClientEncoder encoder,
        TokenEstimator estimator,
        ITurnObserver? observer = null)
    {
        _request = request;
        _target = target;
        _writer = writer;
        _decoder = decoder;
        _encoder = encoder;
        _estimator = estimator;
        _observer = observer;
    }

    public TokenUsage? Usage { get; private set; }

    public FinishReason? Finish => _encoder.Finish;

    public ReadOnlyMemory<byte> UpstreamBody(bool stream) => _writer.Write(_request, _target, stream);

    public ReadOnlyMemory<byte>? WithoutSession(bool stream) => _writer.WithoutSession(_request, _target, stream);

    public StreamStep OnUpstreamEvent(in SseEvent upstream, List<SseFrame> toClient)
    {
        _updates.Clear();
        if (upstream.EventType == WholeAnswer)
        {
            // Decoded once by EventsOfWhole (decoders keep state: ids given out, tool indices).
            _updates.AddRange(_whole);
        }

        var step = StreamStep.Preamble;
        if (upstream.EventType != WholeAnswer)
        {
            step = _decoder.Decode(upstream, _updates);
            if (step is StreamStep.UpstreamError or StreamStep.Malformed)
            {
                return step;
            }
        }

        var content = Observe(_updates);
        var before = toClient.Count;
        _encoder.Encode(_updates, toClient);

        // Content the client's format has no place for (a signature to an OpenAI client) writes nothing:
        // the stream is not committed by it, so a failure before the first visible token can still fail over.
        return content && toClient.Count > before ? StreamStep.Content : step == StreamStep.Progress ? StreamStep.Progress : StreamStep.Preamble;
    }

    public StreamEnd OnUpstreamEnd(List<SseFrame> toClient, GatewayError? interruption)
    {
        var usage = ResolveUsage();
        var completed = _encoder.AllChoicesFinished;
        _encoder.Complete(toClient, usage, interruption ?? StreamErrors.Interrupted());
        if (completed)
        {
            _observer?.TurnCompleted();
        }

        return completed ? StreamEnd.Completed : StreamEnd.Interrupted;
    }

    public IReadOnlyList<SseEvent>? EventsOfWhole(ReadOnlySpan<byte> upstreamBody)
    {
        _whole.Clear();
        return _decoder.DecodeWhole(upstreamBody, _whole) ? [new SseEvent(WholeAnswer, ReadOnlyMemory<byte>.Empty)] : null;
    }

    public bool TryAnswerWhole(ReadOnlyMemory<byte> upstreamBody, out ReadOnlyMemory<byte> answer)
    {
        _updates.Clear();
        if (!_decoder.DecodeWhole(upstreamBody.Span, _updates))
        {
            answer = default;
            return false;
        }

        Observe(_updates);
        answer = _encoder.EncodeWhole(_updates, ResolveUsage());
        _observer?.TurnCompleted();
        return true;
    }

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> upstreamData, int status, string detail) => _decoder.FailureOf(upstreamData, status, detail);

    public ValueTask FinishTurnAsync(CancellationToken cancellationToken) => _observer?.FlushAsync(cancellationToken) ?? ValueTask.CompletedTask;

    // Keeps usage and the text an estimate would count; true when any update is content.
    private bool Observe(List<ChatUpdate> updates)
    {
        var content = false;
        foreach (var update in updates)
        {
            content |= update.IsContent;
            switch (update.Kind)
            {
                case ChatUpdateKind.Usage:
                    _reported = _reported is { } earlier ? earlier.Merge(update.Usage!.Value) : update.Usage;
                    break;
                case ChatUpdateKind.TextDelta or ChatUpdateKind.ReasoningDelta or ChatUpdateKind.RefusalDelta or ChatUpdateKind.ToolArgumentsDelta:
                    _emitted.Append(update.Text);
                    break;
                case ChatUpdateKind.ToolCallStart:
                    _emitted.Append(update.ToolName).Append(update.Text);
                    break;
            }

            _observer?.Observe(update);
        }

        return content;
    }

    private TokenUsage ResolveUsage()
    {
        var usage = _reported is { } reported && (reported.InputTokens > 0 || reported.OutputTokens > 0 || reported.CacheReadTokens > 0)
            ? reported
            : new TokenUsage(_estimator.CountPrompt(_request), _estimator.Count(_emitted.ToString()), Estimated: true);
        Usage = usage;
        return usage;
    }
}
