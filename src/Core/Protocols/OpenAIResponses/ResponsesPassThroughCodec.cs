using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIChat;
using Gateway.Routing;
using Gateway.State;
using Gateway.Streaming;

namespace Gateway.Protocols.OpenAIResponses;

/// <summary>
/// OpenAI Responses in and out (an OpenAI-kind provider with a <c>ResponsesPath</c>): the byte path. The
/// request goes upstream member by member with the model replaced — and, when the history holds them,
/// the items this gateway made for another upstream taken out (its <c>…_gw…</c> item ids, reasoning whose
/// <c>encrypted_content</c> is another provider's): that upstream could not resolve or decrypt them —; events
/// are forwarded as the same bytes under their own names. A compaction goes to <c>{ResponsesPath}/compact</c>
/// and its answer is relayed as it is.
/// </summary>
internal sealed class ResponsesPassThroughCodec : IAttemptCodec, IKeptOutput
{
    private readonly ChatRequest _request;
    private readonly RouteTarget _target;
    private ReadOnlyMemory<byte> _completedResponse;
    private SseFrame? _terminalFrame;
    private bool _failed;

    public ResponsesPassThroughCodec(ChatRequest request, RouteTarget target)
    {
        _request = request;
        _target = target;
    }

    public Uri? UpstreamUri => _request.Compaction
        ? new Uri(_target.Provider.ResponsesUri!.AbsoluteUri.TrimEnd('/') + "/compact")
        : _target.Provider.ResponsesUri;

    public TokenUsage? Usage { get; private set; }

    public FinishReason? Finish { get; private set; }

    public string ResponseId { get; private set; } = string.Empty;

    /// <summary>Set when the answer is kept (<see cref="ResponseHistory"/>): it stores the output items this codec relayed.</summary>
    public ITurnObserver? Keeper { get; set; }

    public ReadOnlyMemory<byte> UpstreamBody(bool stream)
    {
        var body = _request.Body;
        var rewriter = new JsonObjectRewriter(body);
        rewriter.SetString("model", _target.Model);
        if (!_request.Compaction)
        {
            if (stream && (!body.TryGet("stream", out var flag) || flag.ValueKind != JsonTokenType.True))
            {
                rewriter.SetTrue("stream");
            }
            else if (!stream && body.TryGet("stream", out _))
            {
                rewriter.Remove("stream");
            }
        }

        if (body.TryGet("input", out var input) && input.ValueKind == JsonTokenType.StartArray && ForeignItems.MayHold(body.ValueOf(input))
            && ForeignItems.Remove(body.ValueOf(input), _target.Provider.Id) is { } cleaned)
        {
            rewriter.Set("input", w => cleaned.WriteTo(w));
        }

        return rewriter.ToMemory();
    }

    public StreamStep OnUpstreamEvent(in SseEvent upstream, List<SseFrame> toClient)
    {
        var data = upstream.Data;
        var type = TypeOf(data.Span) ?? upstream.EventType;
        if (type.Length is 0 or > 64 || !type.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_'))
        {
            return StreamStep.Malformed;
        }

        switch (type)
        {
            case "error" or "response.failed":
                toClient.Add(new SseFrame(data, Encoding.UTF8.GetBytes(type)));
                _failed = true;
                return StreamStep.UpstreamError;
            case "response.created" or "response.in_progress" or "response.queued":
                toClient.Add(new SseFrame(data, Encoding.UTF8.GetBytes(type)));
                return StreamStep.Preamble;
            case "response.completed" or "response.incomplete":
                // Held to the end: a kept response is stored before its last event reaches the client.
                ReadResponse(data, "response"u8);
                _terminalFrame = new SseFrame(data, Encoding.UTF8.GetBytes(type));
                return StreamStep.Content;
        }

        toClient.Add(new SseFrame(data, Encoding.UTF8.GetBytes(type)));
        return StreamStep.Content;
    }

    public StreamEnd OnUpstreamEnd(List<SseFrame> toClient, GatewayError? interruption)
    {
        if (_terminalFrame is { } terminal)
        {
            // Whole once its terminal event came, whatever the connection did after it.
            toClient.Add(terminal);
            Keeper?.TurnCompleted();
            return StreamEnd.Completed;
        }

        if (!_failed)
        {
            toClient.Add(ResponsesEncoder.FailedAlone(interruption ?? StreamErrors.Interrupted(), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        }

        return StreamEnd.Interrupted;
    }

    // An upstream that answered a stream request with a whole response: its terminal event.
    public IReadOnlyList<SseEvent>? EventsOfWhole(ReadOnlySpan<byte> upstreamBody)
    {
        if (!IsResponse(upstreamBody))
        {
            return null;
        }

        var completed = "{\"type\":\"response.completed\",\"sequence_number\":0,\"response\":" + Encoding.UTF8.GetString(upstreamBody) + "}";
        return [new SseEvent("response.completed", Encoding.UTF8.GetBytes(completed))];
    }

    public bool TryAnswerWhole(ReadOnlyMemory<byte> upstreamBody, out ReadOnlyMemory<byte> answer)
    {
        answer = upstreamBody;
        if (_request.Compaction)
        {
            return true;
        }

        if (!IsResponse(upstreamBody.Span))
        {
            return false;
        }

        ReadResponse(upstreamBody, default);
        Keeper?.TurnCompleted();
        return true;
    }

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> upstreamData, int status, string detail) =>
        FailureClassifier.FromBody(OpenAIErrorEnvelope.ExtractMessage(upstreamData) ?? FailedMessage(upstreamData), status, detail);

    public ValueTask FinishTurnAsync(CancellationToken cancellationToken) => Keeper?.FlushAsync(cancellationToken) ?? ValueTask.CompletedTask;

    public void WriteOutputItems(Utf8JsonWriter writer)
    {
        if (_completedResponse.IsEmpty)
        {
            return;
        }

        using var document = JsonDocument.Parse(_completedResponse);
        if (document.RootElement.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in output.EnumerateArray())
            {
                item.WriteTo(writer);
            }
        }
    }

    private static bool IsResponse(ReadOnlySpan<byte> body) => TypeOf(body, "object"u8) == "response";

    // The id, usage and status of a whole response (a body, or the "response" of a terminal event).
    private void ReadResponse(ReadOnlyMemory<byte> json, ReadOnlySpan<byte> within)
    {
        using var document = JsonDocument.Parse(json);
        var response = document.RootElement;
        if (!within.IsEmpty && !response.TryGetProperty(within, out response))
        {
            return;
        }

        _completedResponse = Encoding.UTF8.GetBytes(response.GetRawText());
        ResponseId = JsonElementMembers.String(response, "id") ?? string.Empty;
        if (response.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            var input = JsonElementMembers.Int(usage, "input_tokens") ?? 0;
            var cached = Math.Clamp(usage.TryGetProperty("input_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object ? JsonElementMembers.Int(details, "cached_tokens") ?? 0 : 0, 0, Math.Max(0, input));
            var reasoning = usage.TryGetProperty("output_tokens_details", out var outputDetails) && outputDetails.ValueKind == JsonValueKind.Object ? JsonElementMembers.Int(outputDetails, "reasoning_tokens") ?? 0 : 0;
            Usage = new TokenUsage(Math.Max(0, input) - cached, JsonElementMembers.Int(usage, "output_tokens") ?? 0, false) { CacheReadTokens = cached, ReasoningTokens = reasoning };
        }

        var calledTools = response.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array
            && output.EnumerateArray().Any(item => JsonElementMembers.String(item, "type") is "function_call" or "custom_tool_call");
        Finish = JsonElementMembers.String(response, "status") == "incomplete" ? FinishReason.Length
            : calledTools ? FinishReason.ToolCalls
            : FinishReason.Stop;
    }

    private static string? FailedMessage(ReadOnlySpan<byte> data)
    {
        try
        {
            // A response.failed event's response.error, or an error event's own message.
            using var document = JsonDocument.Parse(data.ToArray());
            var root = document.RootElement;
            return root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
                && response.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                ? JsonElementMembers.String(error, "message")
                : JsonElementMembers.String(root, "message");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The event's "type" (or the body's member name), read without a DOM; an event that is not one whole JSON object throws.
    private static string? TypeOf(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name = default) =>
        JsonShapes.StringMemberOfWholeObject(json, name.IsEmpty ? "type"u8 : name);

    /// <summary>Items the gateway made for another upstream, which this one could not resolve or decrypt.</summary>
    private static class ForeignItems
    {
        public static bool MayHold(ReadOnlySpan<byte> input) => input.IndexOf("_gw"u8) >= 0 || input.IndexOf("gw1~"u8) >= 0;

        public static JsonArray? Remove(ReadOnlySpan<byte> input, string provider)
        {
            if (JsonDom.Parse(input) is not JsonArray items)
            {
                return null;
            }

            for (var i = items.Count - 1; i >= 0; i--)
            {
                if (items[i] is not JsonObject item)
                {
                    continue;
                }

                if (item["encrypted_content"] is JsonValue encrypted && encrypted.TryGetValue<string>(out var value)
                    && value.StartsWith("gw1~", StringComparison.Ordinal))
                {
                    // Reasoning another upstream produced (its signature, tagged by this gateway): not this one's to decrypt.
                    var opaque = Opaque.Decode(value, Configuration.ProviderKind.OpenAI);
                    if (!opaque.BelongsTo(Configuration.ProviderKind.OpenAI, provider) || opaque.Value.Length == 0)
                    {
                        items.RemoveAt(i);
                        continue;
                    }
                }

                if (item["id"] is JsonValue id && id.TryGetValue<string>(out var text) && text.Contains("_gw", StringComparison.Ordinal))
                {
                    // Ids this gateway minted mean nothing upstream; the item itself stays.
                    item.Remove("id");
                }
            }

            return items;
        }
    }
}
