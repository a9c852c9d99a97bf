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
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <summary>True when an event or body may carry a value to tag (checked on the raw bytes).</summary>
    public static bool MayNeedTagging(ReadOnlySpan<byte> json) =>
        json.IndexOf("\"signature"u8) >= 0 || json.IndexOf("\"redacted_thinking\""u8) >= 0;

    /// <summary>Tags every signature and redacted payload in <paramref name="json"/> (an event or a message).</summary>
    public static ReadOnlyMemory<byte> Tag(ReadOnlyMemory<byte> json, string provider)
    {
        var node = JsonNode.Parse(json.Span, NodeOptions);
        if (node is null || !TagAll(node, provider))
        {
            return json;
        }

        return Serialize(node);
    }

    /// <summary>
    /// The client's <c>messages</c> for <paramref name="provider"/>: its own tagged values untagged, other
    /// providers' thinking blocks removed (and messages left empty by that). Null when nothing changed.
    /// </summary>
    public static JsonArray? ForTarget(ReadOnlySpan<byte> messagesJson, string provider)
    {
        if (!Opaque.MayContainTag(messagesJson) || JsonDom.Parse(messagesJson) is not JsonArray messages)
        {
            return null;
        }

        for (var m = messages.Count - 1; m >= 0; m--)
        {
            if (messages[m] is not JsonObject message || message["content"] is not JsonArray content)
            {
                continue;
            }

            for (var b = content.Count - 1; b >= 0; b--)
            {
                if (content[b] is not JsonObject block)
                {
                    continue;
                }

                var field = (block["type"] as JsonValue)?.GetValue<string>() switch
                {
                    "thinking" => "signature",
                    "redacted_thinking" => "data",
                    _ => null,
                };
                if (field is null || block[field] is not JsonValue value || !value.TryGetValue<string>(out var encoded))
                {
                    continue;
                }

                var opaque = Opaque.Decode(encoded, ProviderKind.Anthropic);
                if (!opaque.BelongsTo(ProviderKind.Anthropic, provider))
                {
                    content.RemoveAt(b);
                }
                else if (opaque.Provider is not null)
                {
                    block[field] = opaque.Value;
                }
            }

            if (content.Count == 0)
            {
                messages.RemoveAt(m);
            }
        }

        return messages;
    }

    private static bool TagAll(JsonNode node, string provider)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                var type = (o["type"] as JsonValue)?.TryGetValue<string>(out var t) == true ? t : null;
                var field = type switch
                {
                    "thinking" or "signature_delta" => "signature",
                    "redacted_thinking" => "data",
                    _ => null,
                };
                if (field is not null && o[field] is JsonValue value && value.TryGetValue<string>(out var raw) && raw.Length > 0 && !raw.StartsWith("gw1~", StringComparison.Ordinal))
                {
                    o[field] = Opaque.From(raw, ProviderKind.Anthropic, provider).Encode();
                    changed = true;
                }

                foreach (var (_, child) in o.ToList())
                {
                    if (child is not null)
                    {
                        changed |= TagAll(child, provider);
                    }
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    if (child is not null)
                    {
                        changed |= TagAll(child, provider);
                    }
                }

                break;
        }

        return changed;
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
