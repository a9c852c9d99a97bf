using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Configuration;
using static Gateway.Json.JsonElementMembers;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// Reads an Anthropic Messages body into the neutral <see cref="Conversation"/> (for targets of another
/// kind). Thinking signatures and redacted blocks become origin-tagged opaque values; Anthropic's own
/// tools (web search, …) are kept as native tools that only an Anthropic target receives.
/// </summary>
internal static class AnthropicRequestReader
{
    private static readonly HashSet<string> Consumed = new(StringComparer.Ordinal)
    {
        "model", "messages", "system", "stream", "tools", "tool_choice", "max_tokens", "temperature", "top_p",
        "top_k", "stop_sequences", "metadata", "thinking", "output_config",
    };

    public static Conversation Read(ChatRequest request)
    {
        var conversation = new Conversation { ExtensionsFormat = WireFormat.AnthropicMessages };
        using var document = JsonDocument.Parse(request.Body.Source, JsonLimits.Document);
        var root = document.RootElement;
        conversation.KeepUnread(root, Consumed);

        if (root.TryGetProperty("system", out var system))
        {
            conversation.System.AddRange(ReadBlocks(system));
        }

        if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (var message in messages.EnumerateArray())
            {
                var role = String(message, "role") switch
                {
                    "assistant" => ChatRole.Assistant,
                    "system" => ChatRole.System,
                    _ => ChatRole.User,
                };
                message.TryGetProperty("content", out var content);
                conversation.Messages.Add(new ChatMessage(role, ReadBlocks(content)));
            }
        }

        ReadTools(root, conversation);
        if (root.TryGetProperty("tool_choice", out var choice) && choice.ValueKind == JsonValueKind.Object)
        {
            conversation.ToolChoice = String(choice, "type") switch
            {
                "any" => new ToolChoice(ToolChoiceMode.Required),
                "none" => new ToolChoice(ToolChoiceMode.None),
                "tool" when String(choice, "name") is { } name => new ToolChoice(ToolChoiceMode.Tool, name),
                _ => new ToolChoice(ToolChoiceMode.Auto),
            };
            if (choice.TryGetProperty("disable_parallel_tool_use", out var disable) && disable.ValueKind == JsonValueKind.True)
            {
                conversation.ParallelToolCalls = false;
            }
        }

        conversation.MaxTokens = Int(root, "max_tokens");
        conversation.Temperature = Double(root, "temperature");
        conversation.TopP = Double(root, "top_p");
        conversation.TopK = Int(root, "top_k");
        if (root.TryGetProperty("stop_sequences", out var stops) && stops.ValueKind == JsonValueKind.Array)
        {
            foreach (var stop in stops.EnumerateArray())
            {
                if (stop.ValueKind == JsonValueKind.String)
                {
                    conversation.StopSequences.Add(stop.GetString()!);
                }
            }
        }

        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            conversation.UserId = String(metadata, "user_id");
        }

        conversation.Reasoning = ReadReasoning(root);
        if (root.TryGetProperty("output_config", out var output) && output.ValueKind == JsonValueKind.Object
            && output.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object && String(format, "type") == "json_schema")
        {
            conversation.ResponseFormat = new ResponseFormat(format.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object ? schema.GetRawText() : null, null);
        }

        return conversation;
    }

    private static ReasoningRequest? ReadReasoning(JsonElement root)
    {
        string? effort = null;
        if (root.TryGetProperty("output_config", out var output) && output.ValueKind == JsonValueKind.Object)
        {
            effort = String(output, "effort");
        }

        if (!root.TryGetProperty("thinking", out var thinking) || thinking.ValueKind != JsonValueKind.Object)
        {
            return effort is null ? null : new ReasoningRequest { Effort = effort };
        }

        return String(thinking, "type") switch
        {
            "disabled" => new ReasoningRequest { Disabled = true },
            "adaptive" => new ReasoningRequest { Adaptive = true, Effort = effort, Display = String(thinking, "display") },
            "enabled" => new ReasoningRequest { BudgetTokens = Int(thinking, "budget_tokens"), Effort = effort, Display = String(thinking, "display") },
            _ => effort is null ? null : new ReasoningRequest { Effort = effort },
        };
    }

    /// <summary>Content as a string or an array of blocks, in order.</summary>
    internal static List<ContentPart> ReadBlocks(JsonElement content)
    {
        var parts = new List<ContentPart>();
        if (content.ValueKind == JsonValueKind.String)
        {
            parts.Add(new TextPart(content.GetString()!));
            return parts;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return parts;
        }

        foreach (var block in content.EnumerateArray())
        {
            if (ReadBlock(block) is { } part)
            {
                parts.Add(part);
            }
        }

        return parts;
    }

    private static ContentPart? ReadBlock(JsonElement block)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var cache = block.TryGetProperty("cache_control", out var cc) && cc.ValueKind == JsonValueKind.Object ? cc.GetRawText() : null;
        ContentPart? part = String(block, "type") switch
        {
            "text" => new TextPart(String(block, "text") ?? string.Empty),
            "image" => Media(block, document: false),
            "document" => Media(block, document: true),
            "tool_use" => new ToolCallPart(
                String(block, "id") ?? string.Empty,
                String(block, "name") ?? string.Empty,
                block.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null ? input.GetRawText() : "{}"),
            "tool_result" => new ToolResultPart(
                String(block, "tool_use_id") ?? string.Empty,
                block.TryGetProperty("content", out var result) ? ReadBlocks(result) : [],
                block.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True),
            "thinking" => new ReasoningPart(
                String(block, "thinking") ?? string.Empty,
                String(block, "signature") is { Length: > 0 } signature ? Opaque.Decode(signature, ProviderKind.Anthropic) : null),
            "redacted_thinking" when String(block, "data") is { Length: > 0 } data => new RedactedReasoningPart(Opaque.Decode(data, ProviderKind.Anthropic)),

            // Server tool use and its results (web search, code execution) only mean something to Anthropic.
            _ => null,
        };

        return part is null || cache is null ? part : part with { CacheControl = cache };
    }

    private static MediaPart? Media(JsonElement block, bool document)
    {
        if (!block.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return String(source, "type") switch
        {
            "base64" => new MediaPart(String(source, "media_type"), String(source, "data"), null) { IsDocument = document },
            "url" => new MediaPart(null, null, String(source, "url")) { IsDocument = document },
            "text" when document => new MediaPart("text/plain", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(String(source, "data") ?? string.Empty)), null) { IsDocument = true },
            _ => null,
        };
    }

    private static void ReadTools(JsonElement root, Conversation conversation)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var type = String(tool, "type");
            var name = String(tool, "name") ?? string.Empty;
            var cache = tool.TryGetProperty("cache_control", out var cc) && cc.ValueKind == JsonValueKind.Object ? cc.GetRawText() : null;
            if (type is null or "custom")
            {
                conversation.Tools.Add(new ToolDefinition(
                    name,
                    String(tool, "description"),
                    tool.TryGetProperty("input_schema", out var schema) && schema.ValueKind == JsonValueKind.Object ? schema.GetRawText() : null)
                {
                    CacheControl = cache,
                });
            }
            else
            {
                conversation.Tools.Add(new ToolDefinition(name, null, null) { NativeJson = tool.GetRawText(), NativeKind = ProviderKind.Anthropic, CacheControl = cache });
            }
        }
    }
}
