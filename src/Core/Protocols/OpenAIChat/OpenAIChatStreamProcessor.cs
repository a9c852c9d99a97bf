using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Streaming;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// Turns upstream OpenAI chat chunks into the chunks the client receives (SPEC §5 Streaming, Tools,
/// Thinking, Usage). A chunk that needs no change is forwarded as the same bytes; only chunks with
/// tool calls, usage, a thinking tag or a finish_reason to correct are parsed into a DOM.
/// One instance serves one upstream attempt.
/// </summary>
internal sealed class OpenAIChatStreamProcessor
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    private readonly ChatRequest _request;
    private readonly bool _rewriteThinking;
    private readonly TokenEstimator _estimator;
    private readonly ChunkScan _scan = new();
    // The answer's text, for estimating usage should the upstream report none. It grows with the answer; it
    // starts small because a gateway holds one per open stream (a kilobyte each was a megabyte per thousand).
    private readonly ArrayBufferWriter<byte> _text = new(128);
    private readonly HashSet<string> _toolIds = new(StringComparer.Ordinal);
    private readonly List<ChoiceState?> _choices = [];
    private int _finishedCount;
    private int _seenCount;
    private byte[]? _id;
    private byte[]? _created;
    private byte[]? _model;
    private byte[]? _systemFingerprint;
    private byte[]? _usage;
    private JsonObject? _heldFinish;
    private TokenUsage? _resolvedUsage;

    public OpenAIChatStreamProcessor(ChatRequest request, bool rewriteThinking, TokenEstimator estimator)
    {
        _request = request;
        _rewriteThinking = rewriteThinking;
        _estimator = estimator;
    }

    /// <summary>Every choice seen so far has a finish_reason (and at least <c>n</c> were seen).</summary>
    public bool AllChoicesFinished => EverySeenChoiceFinished && _seenCount >= _request.ChoiceCount;

    // At the end of the stream an upstream that ignored n (answered fewer choices) has still finished.
    private bool EverySeenChoiceFinished => _seenCount > 0 && _finishedCount == _seenCount;

    /// <summary>The last finish_reason sent to the client.</summary>
    public FinishReason? LastFinishReason { get; private set; }

    /// <summary>Usage reported by the upstream, or estimated; set by <see cref="Finish"/> or <see cref="AppendUsageChunk"/>.</summary>
    public TokenUsage? Usage => _resolvedUsage;

    /// <summary>Processes one upstream data payload, appending what the client should receive.</summary>
    public StreamStep Process(ReadOnlyMemory<byte> data, List<SseFrame> output)
    {
        if (!_scan.TryScan(data.Span, _text, captureMeta: _id is null))
        {
            return StreamStep.Malformed;
        }

        if (_scan.HasError)
        {
            return StreamStep.UpstreamError;
        }

        if (_id is null)
        {
            // Until a chunk brings an id, each field is taken from the first chunk that has it: an upstream
            // that never sends an id still lends its model to the chunks the gateway writes.
            _id = _scan.Id;
            _created ??= _scan.Created;
            _model ??= _scan.Model;
            _systemFingerprint ??= _scan.SystemFingerprint;
        }

        if (_scan.Usage is not null)
        {
            _usage = _scan.Usage;
        }

        var needsRewrite = _scan.HasToolCalls || _scan.HasUsageObject || NeedsThinkingRewrite() || NeedsFinishCorrection();
        if (!needsRewrite)
        {
            ReadOnlyMemory<byte> bytes = data;
            var completesAll = MarkFinished();
            if (_request.ClientWantsUsage && !_scan.HasUsageKey)
            {
                bytes = AppendNullUsage(data.Span);
            }

            if (completesAll && !_request.ClientWantsUsage)
            {
                _heldFinish = TryParse(bytes.Span);
                if (_heldFinish is null)
                {
                    return StreamStep.Malformed;
                }
            }
            else
            {
                output.Add(bytes);
            }

            return _scan.HasContent ? StreamStep.Content : StreamStep.Preamble;
        }

        try
        {
            return Rewrite(data, output);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException or FormatException)
        {
            // A JsonObject builds its dictionary lazily, so a duplicate property (or a value of an
            // unexpected type) surfaces only when a member is used: the chunk is malformed.
            return StreamStep.Malformed;
        }
    }

    /// <summary>Ends the upstream stream: closes thinking blocks and places usage. Call once.</summary>
    public StreamEnd Finish(List<SseFrame> output)
    {
        if (!EverySeenChoiceFinished)
        {
            for (var i = 0; i < _choices.Count; i++)
            {
                if (_choices[i] is { Finished: false, Thinking: { } thinking } && thinking.Flush() is { Length: > 0 } rest)
                {
                    output.Add(BuildContentChunk(i, rest));
                }
            }

            return StreamEnd.Interrupted;
        }

        var usage = ResolveUsage();
        if (_heldFinish is not null)
        {
            _heldFinish["usage"] = JsonNode.Parse(usage.Span);
            output.Add(Serialize(_heldFinish));
            _heldFinish = null;
        }
        else if (_request.ClientWantsUsage)
        {
            output.Add(BuildUsageChunk(usage.Span));
        }

        return StreamEnd.Completed;
    }

    /// <summary>The final <c>choices:[]</c> usage chunk, for an interrupted stream whose client asked for usage.</summary>
    public void AppendUsageChunk(List<SseFrame> output) => output.Add(BuildUsageChunk(ResolveUsage().Span));

    private StreamStep Rewrite(ReadOnlyMemory<byte> data, List<SseFrame> output)
    {
        if (TryParse(data.Span) is not { } chunk)
        {
            return StreamStep.Malformed;
        }

        var choices = chunk["choices"] as JsonArray;

        // A client that asked for usage gets "usage":null on every chunk but the gateway's last (where it
        // was, or at the end); one that did not gets it only on the finish chunk, added at the end.
        if (_request.ClientWantsUsage)
        {
            chunk["usage"] = null;
        }
        else
        {
            chunk.Remove("usage");
        }

        // A usage-only chunk is replaced by the gateway's own final usage chunk.
        if (_scan.HasUsageObject && (choices is null || choices.Count == 0))
        {
            return StreamStep.Preamble;
        }

        var completesAll = false;
        if (choices is not null)
        {
            for (var position = 0; position < choices.Count; position++)
            {
                if (choices[position] is JsonObject choice)
                {
                    completesAll |= RewriteChoice(choice, position);
                }
            }
        }

        if (completesAll && !_request.ClientWantsUsage)
        {
            _heldFinish = chunk;
        }
        else
        {
            output.Add(Serialize(chunk));
        }

        return _scan.HasContent ? StreamStep.Content : StreamStep.Preamble;
    }

    // Returns true when this choice's finish_reason completes the response.
    private bool RewriteChoice(JsonObject choice, int position)
    {
        var index = choice["index"] is JsonValue iv && iv.TryGetValue<int>(out var i) ? i : position;
        var state = StateOf(index);
        var delta = choice["delta"] as JsonObject;
        if (delta?["tool_calls"] is JsonArray toolCalls)
        {
            state.Tools ??= new ToolCallDeltaTracker(_toolIds);
            var normalized = state.Tools.Normalize(toolCalls);
            delta.Remove("tool_calls");
            if (_request.LegacyFunctions)
            {
                WriteLegacyFunctionCall(delta, normalized);
            }
            else if (normalized.Count > 0)
            {
                var array = new JsonArray();
                foreach (var (_, _, element) in normalized)
                {
                    array.Add((JsonNode)element);
                }

                delta["tool_calls"] = array;
            }
        }

        if (_rewriteThinking && delta?["content"] is JsonValue cv && cv.TryGetValue<string>(out var content) && content.Length > 0)
        {
            state.Thinking ??= new ThinkingTagRewriter();
            delta["content"] = state.Thinking.Process(content);
        }

        if (choice["finish_reason"] is not JsonValue fv || !fv.TryGetValue<string>(out var upstreamFinish) || upstreamFinish.Length == 0)
        {
            return false;
        }

        if (state.Thinking?.Flush() is { Length: > 0 } rest)
        {
            delta ??= [];
            choice["delta"] = delta;
            var before = delta["content"] is JsonValue bv && bv.TryGetValue<string>(out var b) ? b : string.Empty;
            delta["content"] = before + rest;
        }

        var finish = FinishReason.Derive(new FinishReason(upstreamFinish), state.Tools?.Count > 0, _request.LegacyFunctions);
        choice["finish_reason"] = finish.Value;
        return Finished(state, finish);
    }

    private static void WriteLegacyFunctionCall(JsonObject delta, List<(int Index, bool IsFirst, JsonObject Delta)> normalized)
    {
        // Legacy clients get one call (parallel_tool_calls:false went upstream) as delta.function_call.
        JsonObject? functionCall = null;
        foreach (var (index, isFirst, element) in normalized)
        {
            if (index != 0 || element["function"] is not JsonObject function)
            {
                continue;
            }

            var arguments = function["arguments"]?.GetValue<string>() ?? string.Empty;
            if (functionCall is null)
            {
                functionCall = isFirst
                    ? new JsonObject { ["name"] = function["name"]?.GetValue<string>() ?? string.Empty, ["arguments"] = arguments }
                    : new JsonObject { ["arguments"] = arguments };
            }
            else
            {
                functionCall["arguments"] = functionCall["arguments"]!.GetValue<string>() + arguments;
            }
        }

        if (functionCall is not null)
        {
            delta["function_call"] = functionCall;
        }
    }

    private bool NeedsThinkingRewrite()
    {
        if (!_rewriteThinking)
        {
            return false;
        }

        if (_scan.ContentHasAngle)
        {
            return true;
        }

        foreach (var (choice, finish) in _scan.Choices)
        {
            // Text without '<' cannot change a rewriter's state, so only held text or a block to close
            // at finish needs the DOM path.
            if (choice < _choices.Count && _choices[choice]?.Thinking is { } thinking
                && (thinking.HasHeldText || (finish is not null && thinking.Inside)))
            {
                return true;
            }
        }

        return false;
    }

    private bool NeedsFinishCorrection()
    {
        if (!_scan.HasFinish)
        {
            return false;
        }

        foreach (var (choice, finish) in _scan.Choices)
        {
            if (finish is null)
            {
                continue;
            }

            var emittedTools = choice < _choices.Count && _choices[choice]?.Tools?.Count > 0;
            var upstream = new FinishReason(finish);
            if (FinishReason.Derive(upstream, emittedTools, _request.LegacyFunctions) != upstream)
            {
                return true;
            }
        }

        return false;
    }

    // Fast path bookkeeping: records choices and finish reasons from the scan.
    private bool MarkFinished()
    {
        var completesAll = false;
        foreach (var (choice, finish) in _scan.Choices)
        {
            var state = StateOf(choice);
            if (finish is not null)
            {
                completesAll |= Finished(state, new FinishReason(finish));
            }
        }

        return completesAll;
    }

    private bool Finished(ChoiceState state, FinishReason finish)
    {
        LastFinishReason = finish;
        if (state.Finished)
        {
            return false;
        }

        state.Finished = true;
        _finishedCount++;
        return AllChoicesFinished;
    }

    private ChoiceState StateOf(int index)
    {
        index = Math.Clamp(index, 0, 127);
        while (_choices.Count <= index)
        {
            _choices.Add(null);
        }

        if (_choices[index] is not { } state)
        {
            state = new ChoiceState();
            _choices[index] = state;
            _seenCount++;
        }

        return state;
    }

    private ReadOnlyMemory<byte> ResolveUsage()
    {
        if (_usage is not null)
        {
            _resolvedUsage ??= TokenUsage.FromOpenAI(_usage);
            return _usage;
        }

        _resolvedUsage ??= new TokenUsage(_estimator.CountPrompt(_request.Body), _estimator.Count(_text.WrittenSpan), Estimated: true);
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            _resolvedUsage.Value.WriteOpenAI(writer);
        }

        return buffer.WrittenMemory;
    }

    private ReadOnlyMemory<byte> BuildContentChunk(int choice, string content) => WriteChunk(writer =>
    {
        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", choice);
        writer.WriteStartObject("delta");
        writer.WriteString("content", content);
        writer.WriteEndObject();
        writer.WriteNull("finish_reason");
        writer.WriteEndObject();
        writer.WriteEndArray();
        if (_request.ClientWantsUsage)
        {
            writer.WriteNull("usage");
        }
    });

    private ReadOnlyMemory<byte> BuildUsageChunk(ReadOnlySpan<byte> usage)
    {
        var usageCopy = usage.ToArray();
        return WriteChunk(writer =>
        {
            writer.WriteStartArray("choices");
            writer.WriteEndArray();
            writer.WritePropertyName("usage");
            writer.WriteRawValue(usageCopy, skipInputValidation: true);
        });
    }

    private ReadOnlyMemory<byte> WriteChunk(Action<Utf8JsonWriter> writeBody)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions);
        writer.WriteStartObject();
        WriteRawOr(writer, "id", _id, "\"chatcmpl-gateway\""u8);
        writer.WriteString("object", "chat.completion.chunk");
        WriteRawOr(writer, "created", _created, "0"u8);
        WriteRawOr(writer, "model", _model, "\"\""u8);
        if (_systemFingerprint is not null)
        {
            writer.WritePropertyName("system_fingerprint");
            writer.WriteRawValue(_systemFingerprint, skipInputValidation: true);
        }

        writeBody(writer);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    private static void WriteRawOr(Utf8JsonWriter writer, string name, byte[]? raw, ReadOnlySpan<byte> fallback)
    {
        writer.WritePropertyName(name);
        writer.WriteRawValue(raw is null ? fallback : raw, skipInputValidation: true);
    }

    private static ReadOnlyMemory<byte> Serialize(JsonObject chunk)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions);
        chunk.WriteTo(writer);
        writer.Flush();
        return buffer.WrittenMemory;
    }

    // {"a":1} -> {"a":1,"usage":null}; the chunk is a JSON object, so its last non-space byte is '}'.
    private static ReadOnlyMemory<byte> AppendNullUsage(ReadOnlySpan<byte> chunk)
    {
        var end = chunk.LastIndexOf((byte)'}');
        var body = chunk[..end].TrimEnd(" \t\r\n"u8);
        var isEmpty = body.Length > 0 && body[^1] == '{';
        var suffix = isEmpty ? "\"usage\":null}"u8 : ",\"usage\":null}"u8;
        var result = new byte[body.Length + suffix.Length];
        body.CopyTo(result);
        suffix.CopyTo(result.AsSpan(body.Length));
        return result;
    }

    // The scan accepts what the DOM may still refuse (a duplicate property, say): such a chunk is malformed.
    private static JsonObject? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var node = JsonNode.Parse(json, NodeOptions) as JsonObject;
            _ = node?.Count; // builds the top-level dictionary now, so a duplicate property throws here
            return node;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private sealed class ChoiceState
    {
        public bool Finished { get; set; }

        public ToolCallDeltaTracker? Tools { get; set; }

        public ThinkingTagRewriter? Thinking { get; set; }
    }
}
