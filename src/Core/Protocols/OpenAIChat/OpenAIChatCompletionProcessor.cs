using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Streaming;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// Turns an upstream chat completion into the client's answer: the same rules as the stream path
/// (finish_reason derived from what was emitted, unique tool-call ids, thinking tags, legacy
/// function_call shape) and <c>usage</c> always present. Unchanged answers keep their bytes.
/// </summary>
internal sealed class OpenAIChatCompletionProcessor
{
    private readonly ChatRequest _request;
    private readonly bool _rewriteThinking;
    private readonly TokenEstimator _estimator;

    public OpenAIChatCompletionProcessor(ChatRequest request, bool rewriteThinking, TokenEstimator estimator)
    {
        _request = request;
        _rewriteThinking = rewriteThinking;
        _estimator = estimator;
    }

    // The answer's text, kept only to estimate usage when the upstream reports none: one buffer per thread,
    // taken out while in use, rather than one per answer (it is not needed past TryProcess).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_text;

    private const int KeptTextCapacity = 64 * 1024;

    /// <summary>The answer; false when the body is not a completion (malformed or an error object).</summary>
    public bool TryProcess(ReadOnlyMemory<byte> completion, out ReadOnlyMemory<byte> answer, out TokenUsage usage, out FinishReason? finish)
    {
        var text = t_text ?? new ArrayBufferWriter<byte>(256);
        t_text = null;
        try
        {
            return TryProcess(completion, text, out answer, out usage, out finish);
        }
        finally
        {
            text.ResetWrittenCount();
            if (text.Capacity <= KeptTextCapacity)
            {
                t_text = text;
            }
        }
    }

    private bool TryProcess(ReadOnlyMemory<byte> completion, ArrayBufferWriter<byte> text, out ReadOnlyMemory<byte> answer, out TokenUsage usage, out FinishReason? finish)
    {
        var scan = new ChunkScan();
        answer = default;
        usage = default;
        finish = null;
        if (!scan.TryScan(completion.Span, text, captureMeta: false) || scan.HasError || scan.Choices.Count == 0)
        {
            return false;
        }

        foreach (var (_, f) in scan.Choices)
        {
            finish = f is null ? finish : new FinishReason(f);
        }

        var finishNeedsFix = false;
        foreach (var (_, f) in scan.Choices)
        {
            finishNeedsFix |= f is null || FinishReason.Derive(new FinishReason(f), false, _request.LegacyFunctions).Value != f;
        }

        var thinking = _rewriteThinking && scan.ContentHasAngle;
        if (scan.HasUsageObject && !scan.HasToolCalls && !thinking && !finishNeedsFix)
        {
            answer = completion;
            usage = TokenUsage.FromOpenAI(scan.Usage!);
            return true;
        }

        JsonObject? root;
        try
        {
            root = JsonNode.Parse(completion.Span) as JsonObject;
            _ = root?.Count; // a duplicate top-level property throws here rather than later
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }

        if (root is null)
        {
            return false;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            if (root["choices"] is JsonArray choices)
            {
                foreach (var node in choices)
                {
                    if (node is JsonObject choice)
                    {
                        finish = RewriteChoice(choice, ids, thinking);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            // Duplicate properties or values of unexpected types deep inside: not a usable completion.
            return false;
        }

        if (root["usage"] is JsonObject reported)
        {
            usage = TokenUsage.FromOpenAI(System.Text.Encoding.UTF8.GetBytes(reported.ToJsonString()));
        }
        else
        {
            usage = new TokenUsage(_estimator.CountPrompt(_request.Body), _estimator.Count(text.WrittenSpan), Estimated: true);
            root["usage"] = new JsonObject
            {
                ["prompt_tokens"] = usage.PromptTokens,
                ["completion_tokens"] = usage.CompletionTokens,
                ["total_tokens"] = usage.PromptTokens + usage.CompletionTokens,
            };
        }

        var buffer = new ArrayBufferWriter<byte>(completion.Length + 128);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            root.WriteTo(writer);
        }

        answer = buffer.WrittenMemory;
        return true;
    }

    private FinishReason RewriteChoice(JsonObject choice, HashSet<string> ids, bool thinking)
    {
        var message = choice["message"] as JsonObject;
        var emittedTools = false;
        if (message?["tool_calls"] is JsonArray calls && calls.Count > 0)
        {
            emittedTools = true;
            foreach (var node in calls)
            {
                if (node is not JsonObject call)
                {
                    continue;
                }

                var id = call["id"] is JsonValue idv && idv.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
                call["id"] = id is not null && ids.Add(id) ? id : ToolCallIndexer.NewUniqueId(ids);
                if (call["type"] is null)
                {
                    call["type"] = call["custom"] is JsonObject ? "custom" : "function";
                }

                if (call["function"] is JsonObject function && function["arguments"] is { } arguments && arguments.GetValueKind() != JsonValueKind.String)
                {
                    function["arguments"] = arguments.ToJsonString();
                }
            }

            if (_request.LegacyFunctions && calls[0]?["function"] is JsonObject first)
            {
                message["function_call"] = new JsonObject
                {
                    ["name"] = first["name"]?.DeepClone(),
                    ["arguments"] = first["arguments"]?.DeepClone() ?? string.Empty,
                };
                message.Remove("tool_calls");
            }
        }

        if (thinking && message?["content"] is JsonValue cv && cv.TryGetValue<string>(out var content))
        {
            message["content"] = ThinkingTagRewriter.RewriteAll(content);
        }

        var upstream = choice["finish_reason"] is JsonValue fv && fv.TryGetValue<string>(out var f) && f.Length > 0 ? new FinishReason(f) : (FinishReason?)null;
        var finish = FinishReason.Derive(upstream, emittedTools, _request.LegacyFunctions);
        choice["finish_reason"] = finish.Value;
        return finish;
    }
}
