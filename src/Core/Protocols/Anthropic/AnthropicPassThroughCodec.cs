using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// Anthropic Messages in and out: the byte path. The request goes upstream member by member with only
/// the model, the stream flag, a missing <c>max_tokens</c> and the origin rule for signatures touched
/// (unknown fields, server tools, betas pass); events are forwarded as the same bytes with their
/// <c>event:</c> names, except that signatures get tagged with this provider. An upstream error event
/// after content reaches the client as the upstream sent it (Claude Code matches on its wording).
/// </summary>
internal sealed class AnthropicPassThroughCodec : IAttemptCodec
{
    private static readonly Dictionary<string, byte[]> EventNames = new(StringComparer.Ordinal)
    {
        ["message_start"] = "message_start"u8.ToArray(),
        ["content_block_start"] = "content_block_start"u8.ToArray(),
        ["content_block_delta"] = "content_block_delta"u8.ToArray(),
        ["content_block_stop"] = "content_block_stop"u8.ToArray(),
        ["message_delta"] = "message_delta"u8.ToArray(),
        ["message_stop"] = "message_stop"u8.ToArray(),
        ["ping"] = "ping"u8.ToArray(),
        ["error"] = AnthropicErrorEnvelope.EventName,
    };

    private readonly ChatRequest _request;
    private readonly RouteTarget _target;
    private TokenUsage? _usage;
    private bool _stopped;
    private bool _errorForwarded;

    public AnthropicPassThroughCodec(ChatRequest request, RouteTarget target)
    {
        _request = request;
        _target = target;
    }

    public TokenUsage? Usage => _usage;

    public FinishReason? Finish { get; private set; }

    public ReadOnlyMemory<byte> UpstreamBody(bool stream) => Body(_request, _target, stream, countTokens: false);

    /// <summary>The client's body for <paramref name="target"/> (also for <c>count_tokens</c>, which takes no stream or max_tokens).</summary>
    internal static ReadOnlyMemory<byte> Body(ChatRequest request, RouteTarget target, bool stream, bool countTokens)
    {
        var body = request.Body;
        var rewriter = new JsonObjectRewriter(body);
        rewriter.SetString("model", target.Model);
        if (!countTokens)
        {
            if (stream && (!body.TryGet("stream", out var flag) || flag.ValueKind != JsonTokenType.True))
            {
                rewriter.SetTrue("stream");
            }

            if (!body.TryGet("max_tokens", out var max) || max.ValueKind != JsonTokenType.Number)
            {
                // Anthropic requires it; the provider's default fills in for a client that sent none.
                rewriter.Set("max_tokens", w => w.WriteNumberValue(target.Provider.Options.DefaultMaxTokens));
            }
        }

        var thinkingOff = target.Provider.Thinking == ThinkingMode.Off;
        if (body.TryGet("messages", out var messages))
        {
            var (cleaned, thinkingLost) = AnthropicSignatures.ForTarget(body.ValueOf(messages), target.Provider.Id);
            if (cleaned is not null)
            {
                rewriter.Set("messages", w => cleaned.WriteTo(w));
            }

            // Another provider's thinking cannot go to this one; without it, the tool turn must go without thinking.
            thinkingOff |= thinkingLost;
        }

        if (thinkingOff)
        {
            DropThinking(body, rewriter);
        }

        return rewriter.ToMemory();
    }

    // Thinking: Off (a model that cannot think) or a turn that lost its thinking: no thinking field, no effort.
    private static void DropThinking(JsonObjectIndex body, JsonObjectRewriter rewriter)
    {
        if (body.TryGet("thinking", out _))
        {
            rewriter.Remove("thinking");
        }

        if (body.TryGet("output_config", out var config) && config.ValueKind == JsonTokenType.StartObject
            && JsonDom.Parse(body.ValueOf(config)) is System.Text.Json.Nodes.JsonObject output && output.Remove("effort"))
        {
            if (output.Count == 0)
            {
                rewriter.Remove("output_config");
            }
            else
            {
                rewriter.Set("output_config", w => output.WriteTo(w));
            }
        }
    }

    public StreamStep OnUpstreamEvent(in SseEvent upstream, List<SseFrame> toClient)
    {
        var data = upstream.Data;
        string? type;
        try
        {
            type = TypeOf(data.Span) ?? upstream.EventType;
        }
        catch (JsonException)
        {
            return StreamStep.Malformed;
        }

        if (!EventNames.TryGetValue(type, out var name))
        {
            // An event type Anthropic adds later passes under its own name; anything that is not a plain
            // name (a line break would forge SSE lines) is a malformed event.
            if (!IsEventName(type))
            {
                return StreamStep.Malformed;
            }

            name = Encoding.UTF8.GetBytes(type);
        }

        switch (type)
        {
            case "error":
                toClient.Add(new SseFrame(data, name));
                _errorForwarded = true;
                return StreamStep.UpstreamError;
            case "message_start":
                ReadUsage(data.Span, "message"u8);
                toClient.Add(new SseFrame(data, name));
                return StreamStep.Preamble;
            case "ping":
                toClient.Add(new SseFrame(data, name));
                return StreamStep.Preamble;
            case "message_delta":
                ReadUsage(data.Span, default);
                break;
            case "message_stop":
                _stopped = true;
                break;
            case "content_block_start" or "content_block_delta" when AnthropicSignatures.MayNeedTagging(data.Span):
                try
                {
                    data = AnthropicSignatures.Tag(data, _target.Provider.Id);
                }
                catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
                {
                    return StreamStep.Malformed;
                }

                break;
        }

        toClient.Add(new SseFrame(data, name));
        return type is "content_block_delta" or "content_block_stop" or "message_delta" or "message_stop"
            || (type == "content_block_start" && !IsEmptyTextStart(data.Span))
            ? StreamStep.Content
            : StreamStep.Preamble;
    }

    private static bool IsEventName(string type) =>
        type.Length is > 0 and <= 64 && type.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    // A text or thinking block that opens empty says nothing yet: like message_start, it is held back so a
    // failure before the first real token can still fail over. A tool_use start (id and name) is content.
    private static bool IsEmptyTextStart(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("content_block"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            string? type = null;
            var empty = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                var isText = reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("thinking"u8);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }
                else if (isText && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                {
                    empty = false;
                }

                reader.Skip();
            }

            return empty && type is "text" or "thinking";
        }

        return false;
    }

    public StreamEnd OnUpstreamEnd(List<SseFrame> toClient, GatewayError? interruption)
    {
        if (_stopped)
        {
            return StreamEnd.Completed;
        }

        if (Finish is not null && !_errorForwarded)
        {
            // The answer is complete (message_delta had its stop reason); only message_stop was missing.
            toClient.Add(new SseFrame("""{"type":"message_stop"}"""u8.ToArray(), EventNames["message_stop"]));
            return StreamEnd.Completed;
        }

        if (!_errorForwarded)
        {
            toClient.Add(new SseFrame(AnthropicErrorEnvelope.Serialize(interruption ?? StreamErrors.Interrupted()), AnthropicErrorEnvelope.EventName));
        }

        return StreamEnd.Interrupted;
    }

    public IReadOnlyList<SseEvent>? EventsOfWhole(ReadOnlySpan<byte> upstreamBody)
    {
        // An upstream that answered a stream request with a whole message: the events it would have sent.
        var updates = new List<ChatUpdate>();
        if (!new AnthropicDecoder(_target.Provider.Id).DecodeWhole(upstreamBody, updates))
        {
            return null;
        }

        var encoder = new AnthropicEncoder(_request.Model, null);
        var frames = new List<SseFrame>();
        encoder.Encode(updates, frames);
        var usage = default(TokenUsage);
        foreach (var update in updates)
        {
            if (update.Usage is { } u)
            {
                usage = usage.Merge(u);
            }
        }

        encoder.Complete(frames, usage, StreamErrors.Interrupted());
        return [.. frames.Select(f => new SseEvent(Encoding.UTF8.GetString(f.EventName!), f.Data))];
    }

    public bool TryAnswerWhole(ReadOnlyMemory<byte> upstreamBody, out ReadOnlyMemory<byte> answer)
    {
        answer = upstreamBody;
        try
        {
            if (TypeOf(upstreamBody.Span) != "message")
            {
                return false;
            }

            ReadUsage(upstreamBody.Span, default);
            if (AnthropicSignatures.MayNeedTagging(upstreamBody.Span))
            {
                answer = AnthropicSignatures.Tag(upstreamBody, _target.Provider.Id);
            }

            return true;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> upstreamData, int status, string detail) =>
        new AnthropicDecoder(_target.Provider.Id).FailureOf(upstreamData, status, detail);

    // The event's (or body's) top-level "type", read without a DOM; an event that is not one whole JSON object throws.
    private static string? TypeOf(ReadOnlySpan<byte> json) => JsonShapes.StringMemberOfWholeObject(json, "type"u8);

    // Usage (and the stop reason) of message_start.message, message_delta, or a whole message.
    private void ReadUsage(ReadOnlySpan<byte> json, ReadOnlySpan<byte> within)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (!within.IsEmpty)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var found = reader.ValueTextEquals(within);
                reader.Read();
                if (found && reader.TokenType == JsonTokenType.StartObject)
                {
                    break;
                }

                reader.Skip();
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }
        }

        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1)
            {
                continue;
            }

            if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var usage = TokenUsage.FromAnthropic(json[start..(int)reader.BytesConsumed]);
                _usage = _usage is { } earlier ? earlier.Merge(usage) : usage;
            }
            else if (reader.ValueTextEquals("stop_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    Finish = AnthropicDecoder.FinishOf(reader.GetString()!);
                }
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                // message_delta keeps stop_reason one level down.
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var inner = reader.CurrentDepth;
                    while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == inner))
                    {
                        if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == inner + 1 && reader.ValueTextEquals("stop_reason"u8))
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                Finish = AnthropicDecoder.FinishOf(reader.GetString()!);
                            }
                        }
                    }
                }
            }
        }
    }
}
