using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Json;
using static Gateway.Json.JsonElementMembers;

namespace Gateway.Protocols.OpenAIResponses;

/// <summary>
/// Reads an OpenAI Responses body into the neutral <see cref="Conversation"/>: <c>instructions</c> and
/// leading system/developer messages as system text; input items in order — messages, reasoning (its
/// <c>encrypted_content</c> is the gateway's origin-tagged opaque value, so a signature goes back only to
/// its provider), function and custom tool calls with their outputs —; function and custom tools, with
/// namespace tools flattened to one name per tool (kept in <see cref="Conversation.ToolAliases"/> so the
/// answer names them as the client declared them). Hosted tools (web search, file search, …) have no
/// counterpart on a chat upstream and are left out.
/// </summary>
internal static class ResponsesRequestReader
{
    /// <summary>What marks an <c>encrypted_content</c> that carries a redacted thinking payload rather than a signature.</summary>
    internal const string RedactedPrefix = "redacted_thinking:";

    /// <summary>Between a namespace and its tool's name in the flattened name a chat upstream sees.</summary>
    internal const string NamespaceSeparator = "__";

    private const int MaxToolName = 64;

    private static readonly HashSet<string> Consumed = new(StringComparer.Ordinal)
    {
        "model", "input", "instructions", "stream", "tools", "tool_choice", "parallel_tool_calls", "max_output_tokens",
        "temperature", "top_p", "reasoning", "text", "user", "safety_identifier", "metadata", "store", "include",
        "prompt_cache_key", "previous_response_id", "truncation", "service_tier", "client_metadata", "stream_options",
    };

    public static Conversation Read(ChatRequest request)
    {
        var conversation = new Conversation { ExtensionsFormat = WireFormat.OpenAIResponses };
        using var document = JsonDocument.Parse(request.Body.Source, JsonLimits.Document);
        var root = document.RootElement;
        conversation.KeepUnread(root, Consumed);

        if (String(root, "instructions") is { Length: > 0 } instructions)
        {
            conversation.System.Add(new TextPart(instructions));
        }

        // Tools first: a call in the history names a namespaced tool by its flattened name.
        ReadTools(root, conversation);
        if (root.TryGetProperty("input", out var input))
        {
            if (input.ValueKind == JsonValueKind.String)
            {
                conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart(input.GetString()!)]));
            }
            else if (input.ValueKind == JsonValueKind.Array)
            {
                ReadItems(input, conversation);
            }
        }

        conversation.ToolChoice = ReadToolChoice(root, conversation);
        if (root.TryGetProperty("parallel_tool_calls", out var parallel) && parallel.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            conversation.ParallelToolCalls = parallel.ValueKind == JsonValueKind.True;
        }

        conversation.MaxTokens = Int(root, "max_output_tokens");
        conversation.Temperature = Double(root, "temperature");
        conversation.TopP = Double(root, "top_p");
        conversation.UserId = String(root, "user") ?? String(root, "safety_identifier");
        if (root.TryGetProperty("reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.Object && String(reasoning, "effort") is { } effort)
        {
            conversation.Reasoning = effort == "none" ? new ReasoningRequest { Disabled = true } : new ReasoningRequest { Effort = effort };
        }

        if (root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.Object
            && text.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object)
        {
            conversation.ResponseFormat = String(format, "type") switch
            {
                "json_schema" => new ResponseFormat(format.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object ? schema.GetRawText() : null, String(format, "name"))
                {
                    Strict = format.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False ? strict.ValueKind == JsonValueKind.True : null,
                },
                "json_object" => new ResponseFormat(null, null),
                _ => null,
            };
        }

        return conversation;
    }

    /// <summary>The name a chat upstream sees for <paramref name="name"/> in <paramref name="space"/> (at most 64 characters, the tools' limit).</summary>
    internal static string Flatten(string space, string name)
    {
        var flat = space + NamespaceSeparator + name;
        return flat.Length <= MaxToolName ? flat : flat[..(MaxToolName - 9)] + "_" + Opaque.ProviderHash(flat);
    }

    private static void ReadItems(JsonElement items, Conversation conversation)
    {
        ChatMessage? assistant = null;
        var anyTurn = false;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            switch (String(item, "type") ?? "message")
            {
                case "message":
                    var role = String(item, "role") ?? "user";
                    var parts = item.TryGetProperty("content", out var content) ? ReadContent(content) : [];
                    if (role == "assistant")
                    {
                        Assistant(conversation, ref assistant).Parts.AddRange(parts);
                        anyTurn = true;
                    }
                    else if (role is "system" or "developer")
                    {
                        if (anyTurn)
                        {
                            // Instructions at this point of the conversation stay here.
                            assistant = null;
                            conversation.Messages.Add(new ChatMessage(ChatRole.System, parts));
                        }
                        else
                        {
                            conversation.System.AddRange(parts);
                        }
                    }
                    else
                    {
                        assistant = null;
                        conversation.Messages.Add(new ChatMessage(ChatRole.User, parts));
                        anyTurn = true;
                    }

                    break;
                case "reasoning":
                    if (ReadReasoning(item) is { } reasoning)
                    {
                        Assistant(conversation, ref assistant).Parts.Add(reasoning);
                        anyTurn = true;
                    }

                    break;
                case "function_call":
                    // A call without arguments is {} on every upstream ("" is not JSON; ecosystem §4 item 6).
                    var arguments = String(item, "arguments") is { } text && !string.IsNullOrWhiteSpace(text) ? text : "{}";
                    Assistant(conversation, ref assistant).Parts.Add(new ToolCallPart(String(item, "call_id") ?? string.Empty, CalledName(item), arguments));
                    anyTurn = true;
                    break;
                case "custom_tool_call":
                    Assistant(conversation, ref assistant).Parts.Add(new ToolCallPart(String(item, "call_id") ?? string.Empty, CalledName(item), String(item, "input") ?? string.Empty, Custom: true));
                    anyTurn = true;
                    break;
                case "function_call_output" or "custom_tool_call_output":
                    assistant = null;
                    var output = item.TryGetProperty("output", out var value) ? ReadContent(value) : [];
                    AddToolResult(conversation, new ToolResultPart(String(item, "call_id") ?? string.Empty, output, IsError: false));
                    anyTurn = true;
                    break;

                // Hosted tool calls and their results (web search, file search), item references and
                // compaction payloads only mean something to OpenAI's own Responses service.
                default:
                    break;
            }
        }
    }

    // A call of a namespaced tool (function or custom) names it by the flattened name the upstream was given.
    private static string CalledName(JsonElement call)
    {
        var name = String(call, "name") ?? string.Empty;
        return String(call, "namespace") is { Length: > 0 } space ? Flatten(space, name) : name;
    }

    private static ChatMessage Assistant(Conversation conversation, ref ChatMessage? assistant)
    {
        if (assistant is null)
        {
            assistant = new ChatMessage(ChatRole.Assistant, []);
            conversation.Messages.Add(assistant);
        }

        return assistant;
    }

    private static void AddToolResult(Conversation conversation, ToolResultPart result)
    {
        if (conversation.Messages.Count > 0 && conversation.Messages[^1].Role == ChatRole.Tool)
        {
            conversation.Messages[^1].Parts.Add(result);
        }
        else
        {
            conversation.Messages.Add(new ChatMessage(ChatRole.Tool, [result]));
        }
    }

    // A reasoning item: its summary (or raw reasoning) text, and the opaque value its encrypted_content carries.
    private static ContentPart? ReadReasoning(JsonElement item)
    {
        var text = new StringBuilder();
        foreach (var name in (ReadOnlySpan<string>)["summary", "content"])
        {
            if (item.TryGetProperty(name, out var parts) && parts.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in parts.EnumerateArray())
                {
                    if (String(part, "text") is { } piece)
                    {
                        text.Append(piece);
                    }
                }
            }

            if (text.Length > 0)
            {
                break;
            }
        }

        var opaque = String(item, "encrypted_content") is { Length: > 0 } encrypted ? Opaque.Decode(encrypted, ProviderKind.OpenAI) : null;
        if (opaque is not null && opaque.Value.StartsWith(RedactedPrefix, StringComparison.Ordinal))
        {
            return new RedactedReasoningPart(opaque with { Value = opaque.Value[RedactedPrefix.Length..] });
        }

        return text.Length > 0 || opaque is not null ? new ReasoningPart(text.ToString(), opaque) : null;
    }

    /// <summary>Content as a string or an array of parts (input_text, output_text, input_image, input_file, refusal).</summary>
    private static List<ContentPart> ReadContent(JsonElement content)
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

        foreach (var part in content.EnumerateArray())
        {
            switch (String(part, "type"))
            {
                case "input_text" or "output_text" or "text" or "summary_text":
                    parts.Add(new TextPart(String(part, "text") ?? string.Empty));
                    break;
                case "refusal":
                    parts.Add(new TextPart(String(part, "refusal") ?? string.Empty));
                    break;
                case "input_image" when String(part, "image_url") is { } url:
                    parts.Add(Media(url, document: false) with { Detail = String(part, "detail") });
                    break;
                case "input_file" when String(part, "file_data") is { } data:
                    parts.Add(Media(data, document: true));
                    break;
            }
        }

        return parts;
    }

    // A data URL becomes inline base64 with its media type; anything else is a URL.
    private static MediaPart Media(string url, bool document)
    {
        if (url.StartsWith("data:", StringComparison.Ordinal) && url.IndexOf(";base64,", StringComparison.Ordinal) is var comma and > 5)
        {
            return new MediaPart(url[5..comma], url[(comma + 8)..], null) { IsDocument = document };
        }

        return new MediaPart(null, null, url) { IsDocument = document };
    }

    private static void ReadTools(JsonElement root, Conversation conversation)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var tool in tools.EnumerateArray())
        {
            switch (String(tool, "type"))
            {
                case "function" or "custom":
                    conversation.Tools.Add(Definition(tool, String(tool, "name") ?? string.Empty));
                    break;
                case "namespace" when String(tool, "name") is { Length: > 0 } space && tool.TryGetProperty("tools", out var inner) && inner.ValueKind == JsonValueKind.Array:
                    foreach (var member in inner.EnumerateArray())
                    {
                        if (String(member, "type") is not ("function" or "custom") || String(member, "name") is not { } name)
                        {
                            continue;
                        }

                        var flat = Flatten(space, name);
                        conversation.ToolAliases[flat] = (name, space);
                        var definition = Definition(member, flat);
                        var described = String(tool, "description") is { Length: > 0 } about ? $"[{space}: {about}] {definition.Description}" : definition.Description;
                        conversation.Tools.Add(definition with { Description = described });
                    }

                    break;

                // Hosted tools run inside OpenAI's Responses service; a chat upstream cannot run them.
                default:
                    break;
            }
        }
    }

    private static ToolDefinition Definition(JsonElement tool, string name)
    {
        var custom = String(tool, "type") == "custom";
        return new ToolDefinition(
            name,
            String(tool, "description"),
            !custom && tool.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object ? parameters.GetRawText() : null)
        {
            Custom = custom,
            Strict = tool.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False ? strict.ValueKind == JsonValueKind.True : null,
        };
    }

    private static ToolChoice? ReadToolChoice(JsonElement root, Conversation conversation)
    {
        if (!root.TryGetProperty("tool_choice", out var choice))
        {
            return null;
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() switch
            {
                "none" => new ToolChoice(ToolChoiceMode.None),
                "required" => new ToolChoice(ToolChoiceMode.Required),
                _ => new ToolChoice(ToolChoiceMode.Auto),
            };
        }

        if (choice.ValueKind == JsonValueKind.Object && String(choice, "type") is "function" or "custom" && String(choice, "name") is { } name)
        {
            var flat = String(choice, "namespace") is { Length: > 0 } space ? Flatten(space, name) : name;
            return new ToolChoice(ToolChoiceMode.Tool, conversation.Tools.Exists(t => t.Name == flat) ? flat : name);
        }

        return new ToolChoice(ToolChoiceMode.Auto);
    }
}
