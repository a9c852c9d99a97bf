using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Routing;
using Gateway.Streaming;
using static Gateway.Json.JsonElementMembers;

namespace Gateway.Protocols.Gemini;

/// <summary>
/// A Gemini-kind upstream's <c>GenerateContentResponse</c>s (each SSE event of <c>alt=sse</c>, or one whole
/// answer) as neutral updates: text, thought parts as reasoning, function calls as tool calls (Gemini's id
/// when it sent one, else a gateway id) with their whole arguments, the finish reason and usage. A
/// <c>thoughtSignature</c> (tagged with this provider as origin) becomes the signature that closes the
/// reasoning before the part it came on — clients that keep thinking blocks send it back that way — and a
/// call's signature also rides on its tool-call start, for clients that carry it on the call. An
/// <c>error</c> object in the stream ends the attempt.
/// </summary>
internal sealed class GeminiDecoder : IUpstreamDecoder
{
    private readonly string _provider;
    private readonly bool _textSignatures;
    private bool _started;
    private int _tools;

    /// <param name="provider">The provider's id: the origin of the signatures it returns.</param>
    /// <param name="textSignatures">
    /// Pass on a signature that came on answer text (not on a call or a thought). Off for Anthropic clients: it
    /// would be a thinking block after the answer's text, which ends the message (Claude Code prints the last
    /// block), and Gemini validates only the signatures of calls.
    /// </param>
    public GeminiDecoder(string provider, bool textSignatures = true)
    {
        _provider = provider;
        _textSignatures = textSignatures;
    }

    public StreamStep Decode(in SseEvent upstream, List<ChatUpdate> updates)
    {
        try
        {
            using var document = JsonDocument.Parse(upstream.Data);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return StreamStep.Malformed;
            }

            if (root.TryGetProperty("error", out _))
            {
                return StreamStep.UpstreamError;
            }

            DecodeResponse(root, updates);
            return StreamStep.Preamble;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return StreamStep.Malformed;
        }
    }

    public bool DecodeWhole(ReadOnlySpan<byte> body, List<ChatUpdate> updates)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("error", out _)
                || !(root.TryGetProperty("candidates", out _) || root.TryGetProperty("promptFeedback", out _)))
            {
                return false;
            }

            DecodeResponse(root, updates);
            if (!updates.Exists(u => u.Kind == ChatUpdateKind.Finish))
            {
                updates.Add(ChatUpdate.Finished(FinishReason.Stop));
            }

            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> data, int status, string detail) => GeminiErrors.FromBody(data, status, detail);

    /// <summary>Gemini's finish reason in the neutral (OpenAI) vocabulary.</summary>
    internal static FinishReason FinishOf(string finishReason) => finishReason switch
    {
        "STOP" or "FINISH_REASON_UNSPECIFIED" or "OTHER" => FinishReason.Stop,
        "MAX_TOKENS" => FinishReason.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "LANGUAGE"
            or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT" or "IMAGE_RECITATION" => FinishReason.ContentFilter,
        _ => new FinishReason(finishReason.ToLowerInvariant()),
    };

    private void DecodeResponse(JsonElement root, List<ChatUpdate> updates)
    {
        if (!_started)
        {
            _started = true;
            updates.Add(new ChatUpdate { Kind = ChatUpdateKind.Start, ResponseId = String(root, "responseId"), Model = String(root, "modelVersion"), AnnouncesRole = true });
        }

        // Usage first: a client format that names the input count in its first event gets it there.
        if (root.TryGetProperty("usageMetadata", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            updates.Add(ChatUpdate.UsageReport(UsageOf(usage)));
        }

        if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
        {
            foreach (var candidate in candidates.EnumerateArray())
            {
                // One candidate is asked for; a second (candidateCount set upstream) is not the client's.
                if (Int(candidate, "index") is > 0)
                {
                    continue;
                }

                DecodeCandidate(candidate, updates);
            }
        }
        else if (root.TryGetProperty("promptFeedback", out var feedback) && String(feedback, "blockReason") is { Length: > 0 })
        {
            // The prompt itself was blocked: no candidate at all.
            updates.Add(ChatUpdate.Finished(FinishReason.ContentFilter));
        }
    }

    private void DecodeCandidate(JsonElement candidate, List<ChatUpdate> updates)
    {
        if (candidate.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in parts.EnumerateArray())
            {
                DecodePart(part, updates);
            }
        }

        if (String(candidate, "finishReason") is { Length: > 0 } finish)
        {
            updates.Add(ChatUpdate.Finished(FinishOf(finish)));
        }
    }

    private void DecodePart(JsonElement part, List<ChatUpdate> updates)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var signature = String(part, "thoughtSignature") is { Length: > 0 } value ? Opaque.From(value, ProviderKind.Gemini, _provider) : null;
        if (part.TryGetProperty("functionCall", out var call) && call.ValueKind == JsonValueKind.Object)
        {
            if (signature is not null)
            {
                updates.Add(ChatUpdate.ReasoningSignature(signature));
            }

            var index = _tools++;
            var id = String(call, "id") is { Length: > 0 } given ? given : GeminiIds.New();
            var arguments = call.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object ? args.GetRawText() : "{}";
            updates.Add(ChatUpdate.ToolCallStart(index, id, String(call, "name") ?? string.Empty) with { Text = arguments, Opaque = signature });
            return;
        }

        var text = String(part, "text");
        var isThought = part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True;
        if (!string.IsNullOrEmpty(text))
        {
            updates.Add(isThought ? ChatUpdate.ReasoningDelta(text) : ChatUpdate.TextDelta(text));
        }

        // A signature on a thought or text part (or on an empty part of its own) closes the reasoning so far.
        if (signature is not null && (isThought || _textSignatures))
        {
            updates.Add(ChatUpdate.ReasoningSignature(signature));
        }
    }

    /// <summary>
    /// <c>usageMetadata</c> in neutral counts: cached content is a cache read (and not input), output is the
    /// candidates' tokens plus the thoughts', reasoning is the thoughts'. Tool-use prompt tokens count as input.
    /// </summary>
    internal static TokenUsage UsageOf(JsonElement usage)
    {
        var prompt = Math.Max(0, Int(usage, "promptTokenCount") ?? 0) + Math.Max(0, Int(usage, "toolUsePromptTokenCount") ?? 0);
        var cached = Math.Clamp(Int(usage, "cachedContentTokenCount") ?? 0, 0, prompt);
        var thoughts = Math.Max(0, Int(usage, "thoughtsTokenCount") ?? 0);
        var candidates = Math.Max(0, Int(usage, "candidatesTokenCount") ?? 0);
        return new TokenUsage(prompt - cached, candidates + thoughts, false) { CacheReadTokens = cached, ReasoningTokens = thoughts };
    }
}
