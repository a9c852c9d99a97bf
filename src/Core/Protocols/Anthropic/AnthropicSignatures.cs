using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Json;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// The origin rule on the Anthropic byte path: signatures and redacted payloads an Anthropic upstream
/// returns are tagged with that provider before the client sees them, and on the way back a tagged value
/// goes untagged to its own provider and is dropped (its whole block) for any other. Untagged values —
/// from a session the gateway did not see — are left as they are.
/// </summary>
internal static class AnthropicSignatures
{
    /// <summary>True when an event or body may carry a value to tag (checked on the raw bytes).</summary>
    public static bool MayNeedTagging(ReadOnlySpan<byte> json) =>
        json.IndexOf("\"signature"u8) >= 0 || json.IndexOf("\"redacted_thinking\""u8) >= 0;

    /// <summary>
    /// Tags every signature and redacted payload in <paramref name="json"/>: an event's <c>content_block</c>
    /// or <c>delta</c>, or a whole message's <c>content</c> blocks. Only those places: a tool's input may hold
    /// objects that look like thinking blocks, and they are the client's data.
    /// </summary>
    public static ReadOnlyMemory<byte> Tag(ReadOnlyMemory<byte> json, string provider)
    {
        if (JsonDom.Parse(json.Span) is not JsonObject root)
        {
            return json;
        }

        var changed = TagBlock(root["content_block"], provider) | TagBlock(root["delta"], provider)
            | TagBlocks(root["content"], provider) | TagBlocks((root["message"] as JsonObject)?["content"], provider);
        return changed ? Serialize(root) : json;
    }

    /// <summary>
    /// The client's <c>messages</c> for <paramref name="provider"/>: its own tagged values untagged, other
    /// providers' thinking blocks removed (and messages left empty by that). Null messages when nothing
    /// changed. <c>ThinkingLost</c>: the last assistant turn calls a tool but no longer starts with its
    /// thinking, which Anthropic refuses while thinking is on — the caller turns thinking off for the request.
    /// </summary>
    public static (JsonArray? Messages, bool ThinkingLost) ForTarget(ReadOnlySpan<byte> messagesJson, string provider)
    {
        if (!Opaque.MayContainTag(messagesJson) || JsonDom.Parse(messagesJson) is not JsonArray messages)
        {
            return (null, false);
        }

        var lastAssistant = -1;
        for (var m = messages.Count - 1; m >= 0; m--)
        {
            if (messages[m] is not JsonObject message || message["content"] is not JsonArray content)
            {
                continue;
            }

            var isLastAssistant = lastAssistant < 0 && StringOf(message["role"]) == "assistant";
            if (isLastAssistant)
            {
                lastAssistant = m;
            }

            var removed = false;
            for (var b = content.Count - 1; b >= 0; b--)
            {
                if (content[b] is not JsonObject block)
                {
                    continue;
                }

                var field = StringOf(block["type"]) switch
                {
                    "thinking" => "signature",
                    "redacted_thinking" => "data",
                    _ => null,
                };
                if (field is null || StringOf(block[field]) is not { } encoded)
                {
                    continue;
                }

                var opaque = Opaque.Decode(encoded, ProviderKind.Anthropic);
                if (!opaque.BelongsTo(ProviderKind.Anthropic, provider))
                {
                    content.RemoveAt(b);
                    removed = true;
                }
                else if (opaque.Provider is not null)
                {
                    block[field] = opaque.Value;
                }
            }

            if (isLastAssistant && removed)
            {
                var callsTool = content.OfType<JsonObject>().Any(b => StringOf(b["type"]) == "tool_use");
                var startsWithThinking = content.Count > 0 && content[0] is JsonObject first && StringOf(first["type"]) is "thinking" or "redacted_thinking";
                if (callsTool && !startsWithThinking)
                {
                    lastAssistant = int.MaxValue;
                }
            }

            if (content.Count == 0)
            {
                messages.RemoveAt(m);
            }
        }

        return (messages, lastAssistant == int.MaxValue);
    }

    private static string? StringOf(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static bool TagBlocks(JsonNode? blocks, string provider)
    {
        var changed = false;
        if (blocks is JsonArray array)
        {
            foreach (var block in array)
            {
                changed |= TagBlock(block, provider);
            }
        }

        return changed;
    }

    private static bool TagBlock(JsonNode? node, string provider)
    {
        if (node is not JsonObject block)
        {
            return false;
        }

        var field = StringOf(block["type"]) switch
        {
            "thinking" or "signature_delta" => "signature",
            "redacted_thinking" => "data",
            _ => null,
        };
        if (field is null || StringOf(block[field]) is not { Length: > 0 } raw || raw.StartsWith("gw1~", StringComparison.Ordinal))
        {
            return false;
        }

        block[field] = Opaque.From(raw, ProviderKind.Anthropic, provider).Encode();
        return true;
    }

    private static ReadOnlyMemory<byte> Serialize(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenMemory;
    }
}
